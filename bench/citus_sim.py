"""Simulation: 10,000 tenant schemas placed on Citus schema-based sharding (docs/dev/scale-out.md).

No database: a model of the fleet, to size the plan. Tenant sizes and loads are drawn from skewed distributions
(a few whales, a long tail), each schema is one colocation group (Citus moves a distributed schema's tables
together), and three plans are compared on N worker nodes:

  round-robin  what Citus does as schemas are created (each new distributed schema on the next node);
  by count     the rebalancer's default strategy (by_shard_count): every node holds as many schemas, sizes ignored;
  by size      the rebalancer with the by_disk_size strategy: greedy moves of schemas from the fullest node to the
               emptiest while that lowers the spread (threshold 10 %, as Citus' default for that strategy).

Then a node is added (N -> N+1) and the size rebalance is planned again: how many schemas move, how many bytes, how
long at an assumed logical-replication rate. Prints the figures and, last, `RESULT key=value ...`.

    .venv/bin/python bench/citus_sim.py [--tenants 10000] [--nodes 8] [--seed 7]
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics

MB = 1024 * 1024
GB = 1024 * MB
MOVE_RATE = 60 * MB  # bytes/s of one shard move by logical replication (assumed; measure on the real cluster)
RELATIONS_PER_SCHEMA = 570  # measured here: 84 tenant and pool schemas held about 48,000 relations


def draw_fleet(count: int, rng: random.Random) -> list[tuple[int, float]]:
    """(bytes, load) per tenant. Size: lognormal with a Pareto tail (a few brands 100x the median); load grows a
    little slower than size (big brands have more history than traffic)."""
    fleet = []
    for _ in range(count):
        size = rng.lognormvariate(mu=4.0, sigma=1.1) * MB  # median ~55 MB
        if rng.random() < 0.01:  # whales: 1 % of brands with a Pareto-distributed multiple
            size *= 10 * rng.paretovariate(1.3)
        load = (size / MB) ** 0.8 * rng.uniform(0.5, 1.5)
        fleet.append((int(size), load))
    return fleet


def round_robin(fleet, nodes: int) -> list[int]:
    return [index % nodes for index in range(len(fleet))]


def by_count(fleet, nodes: int) -> list[int]:
    """Equal schema counts: already true of round-robin placement, so nothing moves."""
    return round_robin(fleet, nodes)


def by_size(fleet, placement: list[int], nodes: int, threshold: float = 0.10) -> tuple[list[int], int, int]:
    """Greedy rebalance by bytes: move the largest schema that fits from the fullest node to the emptiest while the
    fullest is above (1 + threshold) x the mean and the move lowers the spread. Returns (placement, moves, bytes)."""
    placement = list(placement)
    totals = [0] * nodes
    members: list[list[tuple[int, int]]] = [[] for _ in range(nodes)]
    for index, node in enumerate(placement):
        totals[node] += fleet[index][0]
        members[node].append((fleet[index][0], index))
    for group in members:
        group.sort()
    mean = sum(totals) / nodes
    moves = moved = 0
    while True:
        full = max(range(nodes), key=totals.__getitem__)
        empty = min(range(nodes), key=totals.__getitem__)
        if totals[full] <= mean * (1 + threshold):
            break
        gap = totals[full] - totals[empty]
        # the largest schema smaller than half the gap: moving it narrows the spread
        candidates = [item for item in members[full] if item[0] < gap / 2]
        if not candidates:
            break
        size, index = candidates[-1]
        members[full].remove((size, index))
        members[empty].append((size, index))
        members[empty].sort()
        totals[full] -= size
        totals[empty] += size
        placement[index] = empty
        moves += 1
        moved += size
    return placement, moves, moved


def spread(fleet, placement, nodes: int) -> dict[str, float]:
    sizes, loads, counts = [0] * nodes, [0.0] * nodes, [0] * nodes
    for (size, load), node in zip(fleet, placement, strict=True):
        sizes[node] += size
        loads[node] += load
        counts[node] += 1
    return {"size_max_over_mean": max(sizes) / statistics.mean(sizes),
            "load_max_over_mean": max(loads) / statistics.mean(loads),
            "schemas_max": max(counts), "largest_node_gb": max(sizes) / GB}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    fleet = draw_fleet(args.tenants, rng)
    sizes = sorted(size for size, _load in fleet)
    total = sum(sizes)
    top1 = sum(sizes[-max(1, len(sizes) // 100):]) / total
    print(f"{args.tenants} tenants on {args.nodes} worker nodes, {total / GB:.1f} GB: "
          f"median {statistics.median(sizes) / MB:.0f} MB, "
          f"p99 {sizes[int(len(sizes) * 0.99)] / MB:.0f} MB, largest {sizes[-1] / GB:.1f} GB, "
          f"top 1% hold {top1:.0%} of the bytes")

    # A tenant larger than half a node's fair share cannot be balanced around: it gets a node of its own
    # (citus_schema_move), and the rest of the fleet is balanced over the other nodes.
    fair = total / args.nodes
    isolated = [fleet[index] for index in range(len(fleet)) if fleet[index][0] > fair / 2]
    fleet = [tenant for tenant in fleet if tenant[0] <= fair / 2]
    nodes = args.nodes - len(isolated)
    if isolated:
        print(f"{len(isolated)} tenant(s) above half a node's fair share ({fair / 2 / GB:.0f} GB) isolated on "
              f"their own node(s): {', '.join(f'{size / GB:.0f} GB' for size, _load in isolated)}")
    placed = round_robin(fleet, nodes)
    rr = spread(fleet, placed, nodes)
    counted = spread(fleet, by_count(fleet, nodes), nodes)
    balanced, moves, moved = by_size(fleet, placed, nodes)
    sized = spread(fleet, balanced, nodes)
    for name, figures in (("round-robin", rr), ("by count", counted), ("by size", sized)):
        print(f"{nodes} nodes, {name:11}: size max/mean {figures['size_max_over_mean']:.2f}, "
              f"load max/mean {figures['load_max_over_mean']:.2f}, schemas per node <= {figures['schemas_max']}, "
              f"fullest node {figures['largest_node_gb']:.1f} GB")
    print(f"rebalance by size: {moves} schema moves, {moved / GB:.1f} GB, "
          f"~{moved / MOVE_RATE / 60:.0f} min at {MOVE_RATE // MB} MB/s")

    grown, add_moves, add_moved = by_size(fleet, balanced, nodes + 1)
    added = spread(fleet, grown, nodes + 1)
    print(f"add a node ({nodes} -> {nodes + 1}), rebalance by size: {add_moves} moves, {add_moved / GB:.1f} GB "
          f"(~{add_moved / MOVE_RATE / 60:.0f} min), size max/mean {added['size_max_over_mean']:.2f}")

    whale = sizes[-1]
    print(f"largest tenant = {whale / fair:.0%} of one node's fair share; "
          f"catalog: ~{args.tenants * RELATIONS_PER_SCHEMA / 1e6:.1f} M relations for the fleet, "
          f"~{args.tenants * RELATIONS_PER_SCHEMA / args.nodes / 1e6:.2f} M of shards per worker")
    heaviest = heapq.nlargest(10, range(len(fleet)), key=lambda index: fleet[index][1])
    share = sum(fleet[index][1] for index in heaviest) / sum(load for _size, load in fleet)
    print(f"the 10 busiest tenants carry {share:.1%} of the load")
    print(f"RESULT tenants={args.tenants} nodes={nodes} total_gb={total / GB:.1f} "
          f"rr_size_ratio={rr['size_max_over_mean']:.2f} rr_load_ratio={rr['load_max_over_mean']:.2f} "
          f"size_size_ratio={sized['size_max_over_mean']:.2f} size_load_ratio={sized['load_max_over_mean']:.2f} "
          f"rebalance_moves={moves} rebalance_gb={moved / GB:.1f} add_node_moves={add_moves} "
          f"add_node_gb={add_moved / GB:.1f} whale_share_of_node={whale / fair:.2f} isolated={len(isolated)}")


if __name__ == "__main__":
    main()
