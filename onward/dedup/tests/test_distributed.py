"""The duplicate search on a Dask cluster (issue 24): blocking, comparing and scoring run
on the workers, the clusters are merged here, and they are the single-process run's."""

import csv
import json

import numpy as np
import pytest

from onward.dedup.cli import main
from onward.dedup.engine import dedup
from onward.dedup.engine.blocking import candidate_pairs
from onward.dedup.engine.prepare import prepare
from onward.demo.synthetic import generate_population, write_people_csv

distributed = pytest.importorskip("distributed")


def _records(persons: int, seed: int) -> list[dict]:
    return [
        {
            "person_id": p.person_id,
            "given_name": p.given_name,
            "family_name": p.family_name,
            "father_name": p.father_name,
            "sex": p.sex,
            "birth_date": p.birth_date,
            "nationality": p.nationality,
            "document_number": p.document_number,
            "phone": p.phone,
        }
        for p in generate_population(seed=seed, persons=persons).persons
    ]


def test_the_parts_on_workers_give_the_same_pairs_scores_and_clusters():
    from onward.dedup.distributed import DaskMapper

    ds = prepare(_records(2_000, seed=11))
    alone = dedup(ds)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        mapper = DaskMapper(client)
        # Small chunks: many parts per step, so order and reassembly are exercised.
        from onward.dedup.engine import api

        levels_parts = api._compare_chunked(ds, alone.ia, alone.ib, None, chunk=997, mapper=mapper)
        # Blocking in parts of a few thousand pairs: dozens of parts and of buckets, the
        # buckets merged on the workers.
        small_parts = candidate_pairs(ds, mapper=mapper, part_pairs=5_000)
        on_cluster = dedup(ds, mapper=mapper)
        mapper.close()
    assert np.array_equal(levels_parts, alone.levels)
    assert np.array_equal(small_parts[0], alone.ia) and np.array_equal(small_parts[1], alone.ib)
    assert np.array_equal(on_cluster.ia, alone.ia) and np.array_equal(on_cluster.ib, alone.ib)
    assert np.array_equal(on_cluster.levels, alone.levels)
    assert np.array_equal(on_cluster.weight, alone.weight)
    assert np.array_equal(on_cluster.clusters, alone.clusters)
    assert len(set(alone.clusters.tolist())) < len(ds)  # the planted duplicates were found


def _clusters(path) -> list[tuple[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [(r["person_id"], r["cluster_id"]) for r in csv.DictReader(fh)]


@pytest.mark.slow
def test_a_local_cluster_of_two_workers_finds_the_clusters_of_one_process(tmp_path, capsys):
    """100,000 records through `onward dedup`, in one process and with `--workers 2`
    (two worker processes of 2 GB each): the same cluster file, line for line."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("no database in it: it runs once, with the SQLite suite")
    people = tmp_path / "people.csv"
    write_people_csv(generate_population(seed=24, persons=100_000), people)
    alone, spread = tmp_path / "alone.csv", tmp_path / "spread.csv"
    assert main([str(people), "--out", str(alone), "--no-progress"]) == 0
    one = json.loads(capsys.readouterr().out)
    args = ["--workers", "2", "--worker-memory", "2GB", "--no-progress"]
    assert main([str(people), "--out", str(spread), *args]) == 0
    two = json.loads(capsys.readouterr().out)
    assert _clusters(alone) == _clusters(spread)
    assert one["records"] == two["records"] == 100_000
    assert one["clusters"] == two["clusters"] < 100_000
    assert one["candidate_pairs"] == two["candidate_pairs"]


def test_a_negative_worker_count_is_refused(tmp_path, capsys):
    people = tmp_path / "people.csv"
    write_people_csv(generate_population(seed=1, persons=20), people)
    assert main([str(people), "--out", str(tmp_path / "c.csv"), "--workers", "-1"]) == 2
    assert "--workers must be 0 or more" in capsys.readouterr().err
    assert not (tmp_path / "c.csv").exists()


@pytest.mark.django_db
def test_the_registry_run_on_the_scheduler_set_files_the_same_pairs(users, settings):
    """ONWARD_DEDUP_SCHEDULER: the background job's run on a cluster files the pairs, with
    the scores, that the run in the worker's own process files."""
    from onward.accounts import roles
    from onward.dedup import services
    from onward.dedup.models import DuplicatePair
    from onward.demo.population import population_load

    population_load(generate_population(seed=7, persons=600))

    def filed():
        return sorted(
            DuplicatePair.objects.values_list("person_a_id", "person_b_id", "probability")
        )

    alone = services.dedup_run_registry(actor=users[roles.DATA_MANAGER])
    before = filed()
    DuplicatePair.objects.all().delete()
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as cluster:
        settings.ONWARD_DEDUP_SCHEDULER = cluster.scheduler_address
        spread = services.dedup_run_registry(actor=users[roles.DATA_MANAGER])
    assert filed() == before and before
    assert spread["records"] == alone["records"]
