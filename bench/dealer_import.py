"""Bulk import of dealers: 5,000 rows of a 3-level network (regions exist; ~50 provincial agents,
the rest city dealers under them, rows shuffled so that children often come before their parents).

  invalid      validate a file with exactly 3 bad rows (nothing applied, exactly those rows named)
  import_csv   clean import of 5,000 rows from CSV (UTF-8 with BOM), one transaction
  import_xlsx  the same from XLSX (other codes), into the network that now holds 5,000 dealers
  export_*     export of all 10,000 dealers afterwards (for information)

Target (issue): 5,000 rows < 10 s on 2 cores. Runs in its own throwaway tenant (enterprise plan,
no dealer limit), deleted and purged at the end.

Run: .venv/bin/python bench/dealer_import.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import secrets
import time

from _setup import django_setup, pgbench_select_only, throwaway_tenant

REGIONS = [("NE", "东北"), ("N", "华北"), ("E", "华东"), ("S", "华南"), ("C", "华中"), ("SW", "西南"), ("NW", "西北")]
PROVINCES = [
    ("110000", "北京", "N"), ("120000", "天津", "N"), ("130000", "河北", "N"), ("140000", "山西", "N"),
    ("150000", "内蒙古", "N"), ("210000", "辽宁", "NE"), ("220000", "吉林", "NE"), ("230000", "黑龙江", "NE"),
    ("310000", "上海", "E"), ("320000", "江苏", "E"), ("330000", "浙江", "E"), ("340000", "安徽", "E"),
    ("350000", "福建", "E"), ("360000", "江西", "E"), ("370000", "山东", "E"), ("410000", "河南", "C"),
    ("420000", "湖北", "C"), ("430000", "湖南", "C"), ("440000", "广东", "S"), ("450000", "广西", "S"),
    ("460000", "海南", "S"), ("500000", "重庆", "SW"), ("510000", "四川", "SW"), ("520000", "贵州", "SW"),
    ("530000", "云南", "SW"), ("540000", "西藏", "SW"), ("610000", "陕西", "NW"), ("620000", "甘肃", "NW"),
    ("630000", "青海", "NW"), ("640000", "宁夏", "NW"), ("650000", "新疆", "NW"),
]
CITIES_PER_PROVINCE = 12
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]
TRADE = ["商贸", "贸易", "食品", "饮料", "酒业", "供应链", "实业", "百货", "副食品", "物流"]
WORDS = ["鑫", "盛", "源", "隆", "达", "兴", "华", "通", "顺", "泰", "恒", "嘉", "福", "金", "宏", "昌", "和", "益"]
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行", "浦发银行"]
STREETS = ["人民路", "解放路", "中山路", "建设路", "长江路", "和平路", "胜利路", "新华路", "工业园区", "商贸城"]


def tax_number(rng: random.Random) -> str:
    return "91" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(16))


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def company(rng: random.Random, place: str) -> str:
    return f"{place}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADE)}有限公司"


def generate(*, rows: int, prefix: str, seed: int, reps: list[str], managers: dict[str, str]) -> list[dict]:
    """~50 provincial agents (one or two per province) under the regions; the rest are city dealers."""
    rng = random.Random(seed)
    agents = []
    for number in range(50):
        territory, province, region = PROVINCES[number % len(PROVINCES)]
        agents.append({"code": f"{prefix}P{number:03d}", "province": province, "territory": territory,
                       "region": region})
    out = []
    for agent in agents:
        out.append({
            "code": agent["code"],
            "legal_name": f"{agent['province']}{rng.choice(WORDS)}{rng.choice(WORDS)}总代理有限公司",
            "name": f"{agent['province']}总代", "parent_code": agent["region"], "tier": "A",
            "territories": agent["territory"], "status": "active", "tax_number": tax_number(rng),
            "bank_name": rng.choice(BANKS), "bank_account": f"6222 {rng.randrange(10**12):012d}",
            "supplier_code": "", "sales_rep_email": rng.choice(reps),
            "regional_manager_email": managers[agent["region"]],
            "contact_name": person(rng), "contact_phone": f"139{rng.randrange(10**8):08d}",
            "contact_email": f"{agent['code'].lower()}@agent.example.cn",
            "billing_territory": agent["territory"], "billing_line": f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
            "billing_recipient": "财务部", "billing_phone": f"0{rng.randrange(10, 99)}-{rng.randrange(10**7):08d}",
        })
    for number in range(rows - len(agents)):
        agent = agents[number % len(agents)]
        city = f"{agent['territory'][:2]}{(number // len(agents)) % CITIES_PER_PROVINCE + 1:02d}00"
        with_billing = rng.random() < 0.5
        out.append({
            "code": f"{prefix}C{number:05d}", "legal_name": company(rng, agent["province"]), "name": "",
            "parent_code": agent["code"], "tier": rng.choice(["B", "C"]),
            "territories": city if rng.random() < 0.8 else f"{city};{agent['territory']}",
            "status": rng.choice(["active", "active", "active", "prospect", "suspended"]),
            "tax_number": tax_number(rng) if rng.random() < 0.9 else "", "bank_name": rng.choice(BANKS),
            "bank_account": f"6217 {rng.randrange(10**12):012d}",
            "supplier_code": agent["code"] if rng.random() < 0.3 else "",
            "sales_rep_email": rng.choice(reps) if rng.random() < 0.7 else "", "regional_manager_email": "",
            "contact_name": person(rng), "contact_phone": f"13{rng.randrange(10**9):09d}", "contact_email": "",
            "billing_territory": city if with_billing else "",
            "billing_line": f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号" if with_billing else "",
            "billing_recipient": person(rng) if with_billing else "",
            "billing_phone": f"13{rng.randrange(10**9):09d}" if with_billing else "",
        })
    rng.shuffle(out)  # children before parents, as real files come
    return out


def as_csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([row[column] for column in columns] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[dict], columns: list[str]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("dealers")
    sheet.append(columns)
    for row in rows:
        sheet.append([row[column] for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_network(*, run_id: str) -> tuple[object, list[str], dict[str, str]]:
    """HQ, 7 regions, 31 provinces with 12 cities each, tiers A/B/C, an owner, reps and managers."""
    from django.contrib.auth.hashers import make_password

    from tenant_apps.accounts.services import user_create
    from tenant_apps.dealers import services

    password_hash = make_password(secrets.token_hex(8))
    hq = services.headquarters_ensure(name="集团总部")
    regions = {code: services.region_create(actor=None, parent=hq, name=name, code=code) for code, name in REGIONS}
    cn = services.territory_create(actor=None, code="CN", name="中国")
    for code, name, _region in PROVINCES:
        province = services.territory_create(actor=None, code=code, name=name, parent=cn)
        for city in range(1, CITIES_PER_PROVINCE + 1):
            services.territory_create(actor=None, code=f"{code[:2]}{city:02d}00", name=f"{name}{city}市",
                                      parent=province)
    for rank, (code, name) in enumerate((("A", "金牌"), ("B", "银牌"), ("C", "铜牌")), start=1):
        services.tier_create(actor=None, code=code, name=name, rank=rank)
    owner = user_create(actor=None, email=f"owner-{run_id}@bench.test", password="", password_hash=password_hash,
                        role="owner")
    reps = [user_create(actor=None, email=f"rep{n}-{run_id}@bench.test", password="", password_hash=password_hash,
                        role="sales_rep").email for n in range(10)]
    managers = {code: user_create(actor=None, email=f"rm-{code.lower()}-{run_id}@bench.test", password="",
                                  password_hash=password_hash, role="regional_manager",
                                  scope_node=region).email
                for code, region in regions.items()}
    return owner, reps, managers


def timed(function, **kwargs):
    started = time.perf_counter()
    result = function(**kwargs)
    return result, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    django_setup()

    from django_tenants.utils import schema_context

    from tenant_apps.dealers.models import Dealer, DealerAddress, DealerContact, Node
    from tenant_apps.dealers.transfer import COLUMNS, dealers_export, dealers_import

    baseline = pgbench_select_only()
    result: dict[str, float] = {}
    with throwaway_tenant("Bench import", "bench-imp") as tenant:
        run_id = tenant.slug.removeprefix("bench-imp-")
        with schema_context(tenant.schema_name):
            owner, reps, managers = build_network(run_id=run_id)
            rows = generate(rows=args.rows, prefix="", seed=1, reps=reps, managers=managers)
            clean_csv = as_csv(rows, COLUMNS)

            bad = [dict(row) for row in rows]
            bad[100]["parent_code"] = "NO-SUCH-NODE"  # spreadsheet row 102
            bad[2000]["tax_number"] = "12345"  # row 2002
            last_city = max(i for i, row in enumerate(bad) if row["code"].startswith("C"))  # no one's parent
            bad[last_city]["code"] = bad[5]["code"]  # repeats row 7's code
            invalid, result["invalid_ms"] = timed(dealers_import, actor=owner, file=io.BytesIO(as_csv(bad, COLUMNS)),
                                                  filename="经销商-有误.csv")
            expected = [(102, "parent_code"), (2002, "tax_number"), (last_city + 2, "code")]
            assert not invalid.applied and [(e.row, e.field) for e in invalid.errors] == expected, invalid.errors
            assert not Dealer.objects.exists()

            imported, result["import_csv_ms"] = timed(dealers_import, actor=owner, file=io.BytesIO(clean_csv),
                                                      filename="经销商.csv")
            assert imported.applied and imported.created == args.rows, imported.errors[:5]

            xlsx_rows = generate(rows=args.rows, prefix="X", seed=2, reps=reps, managers=managers)
            xlsx = as_xlsx(xlsx_rows, COLUMNS)
            imported, result["import_xlsx_ms"] = timed(dealers_import, actor=owner, file=io.BytesIO(xlsx),
                                                       filename="经销商.xlsx")
            assert imported.applied and imported.created == args.rows, imported.errors[:5]

            assert Dealer.objects.count() == 2 * args.rows
            assert Node.objects.filter(kind="dealer", path__descendant_of=Node.objects.get(code="E").path).exists()
            assert DealerContact.objects.count() == 2 * args.rows
            assert DealerAddress.objects.count() == sum(1 for row in rows + xlsx_rows if row["billing_line"])
            (content, _, _), result["export_csv_ms"] = timed(dealers_export, actor=owner, fmt="csv")
            assert content.count(b"\r\n") == 2 * args.rows + 1
            _, result["export_xlsx_ms"] = timed(dealers_export, actor=owner, fmt="xlsx")

    print(f"rows per file: {args.rows} (CSV {len(clean_csv) / 1024:.0f} KiB, XLSX {len(xlsx) / 1024:.0f} KiB)")
    print(f"validate, 3 bad rows (nothing applied): {result['invalid_ms']:8.1f} ms")
    print(f"import CSV  (all rows, one transaction): {result['import_csv_ms']:8.1f} ms   target < 10000 ms")
    print(f"import XLSX (all rows, one transaction): {result['import_xlsx_ms']:8.1f} ms   target < 10000 ms")
    print(f"export CSV / XLSX of {2 * args.rows} dealers: "
          f"{result['export_csv_ms']:.1f} / {result['export_xlsx_ms']:.1f} ms")
    print(
        f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
        f"{baseline['pgbench_select_tps']:.0f} tps"
    )
    ordered = {key: result[key] for key in ("import_csv_ms", "import_xlsx_ms", "invalid_ms")}
    ordered["pgbench_select_ms"] = baseline["pgbench_select_ms"]
    ordered.update(export_csv_ms=result["export_csv_ms"], export_xlsx_ms=result["export_xlsx_ms"], rows=args.rows)
    print("RESULT " + " ".join(f"{key}={value:.3f}" for key, value in ordered.items()))


if __name__ == "__main__":
    main()
