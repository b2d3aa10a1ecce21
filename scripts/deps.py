"""Print the dependencies declared in pyproject.toml, one per line, for `pip install -r /dev/stdin`.

`python scripts/deps.py` prints the runtime dependencies; `python scripts/deps.py test` the test extra.
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
deps = project["optional-dependencies"][sys.argv[1]] if len(sys.argv) > 1 else project["dependencies"]
print("\n".join(deps))
