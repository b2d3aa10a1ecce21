import gc

from django.apps import AppConfig

# The youngest generation is collected every 50,000 net allocations instead of CPython's 700: a 200-line
# quote allocates hundreds of thousands of short-lived objects, and full collections were its slowest
# 5 % (quote p95 58 -> 38 ms in bench/quote.py's cart). Memory grows by a few MB at most.
GC_THRESHOLD = (50_000, 20, 20)


class CoreConfig(AppConfig):
    name = "tenant_apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        # What start-up loaded (modules, URL patterns, models) lives for the whole process: move it out of the
        # collector's reach, then collect less often. Every process (web, worker, commands) starts here.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLD)
