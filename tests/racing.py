"""Races on real connections: `at_once` runs a piece of work in several threads released together, each on its
own database connection in the tenant's schema, and returns what each one answered."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection, connections
from django.utils import translation


def at_once(tenant, count: int, work: Callable[[int], object], *, timeout: float = 120) -> list:
    """`work(index)` in `count` threads at the same moment; the answers in the order they came. An exception the
    work does not turn into an answer itself becomes ("error", repr), so the test reports it instead of hanging."""
    barrier = threading.Barrier(count)
    answers = []

    def racer(index: int) -> None:
        try:
            translation.activate("en")  # a thread of its own: the suite's language is not active here
            connection.set_tenant(tenant)
            barrier.wait(timeout=30)
            answers.append(work(index))
        except Exception as error:  # noqa: BLE001 - the test reports any unclear answer
            answers.append(("error", repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return answers
