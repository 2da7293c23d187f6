"""Engine behaviour: siblings and twins apart, re-registrations found, no chaining,
thresholds chosen without labels, fast lookup."""

import random

import numpy as np
import pytest

from onward.dedup.engine import (
    DEFAULT_REVIEW_THRESHOLD,
    DEFAULT_THRESHOLD,
    build_index,
    cluster,
    dedup,
    find_pairs,
    top_matches,
)
from onward.dedup.engine.api import fit_model
from onward.dedup.engine.blocking import candidate_pairs
from onward.dedup.engine.compare import compare
from onward.dedup.engine.prepare import prepare

GIVEN_M = [
    "Ali",
    "Reza",
    "Mahdi",
    "Hassan",
    "Hossein",
    "Omar",
    "Karim",
    "Javad",
    "Saeed",
    "Majid",
    "Yousef",
    "Abbas",
    "Amir",
    "Hamid",
    "Mostafa",
    "Jafar",
]
GIVEN_F = ["Zahra", "Maryam", "Leila", "Narges", "Zeinab", "Shirin", "Sara", "Mina", "Hoda"]
FAMILY = [
    "Rezaei",
    "Karimi",
    "Ahmadi",
    "Hashemi",
    "Moradi",
    "Jafari",
    "Rahimi",
    "Sadeghi",
    "Ghorbani",
    "Mousavi",
    "Kazemi",
    "Heidari",
    "Akbari",
    "Abbasi",
    "Najafi",
    "Salehi",
]


def population(n_households: int = 300, seed: int = 3) -> list[dict]:
    """A small registry of households (no duplicates) to give the model a population."""
    rng = random.Random(seed)
    rows = []
    for h in range(n_households):
        fam, father = rng.choice(FAMILY), rng.choice(GIVEN_M)
        phone = f"+98 912 {rng.randrange(10**6, 10**7)}"
        for c in range(rng.randint(1, 5)):
            sex = rng.choice("MF")
            rows.append(
                {
                    "person_id": f"H{h}-{c}",
                    "given_name": rng.choice(GIVEN_M if sex == "M" else GIVEN_F),
                    "family_name": fam,
                    "father_name": father,
                    "sex": sex,
                    "birth_date": f"{rng.randint(1960, 2015)}-{rng.randint(1, 12):02d}-"
                    f"{rng.randint(1, 28):02d}",
                    "nationality": "IRN",
                    "phone": phone,
                }
            )
    return rows


def person(pid, given, family, father, sex, dob, **kw):
    return {
        "person_id": pid,
        "given_name": given,
        "family_name": family,
        "father_name": father,
        "sex": sex,
        "birth_date": dob,
        "nationality": "IRN",
        **kw,
    }


def same_cluster(res, a, b):
    ids = res.dataset.person_ids
    return res.clusters[ids.index(a)] == res.clusters[ids.index(b)]


@pytest.fixture(scope="module")
def scenario():
    rows = population()
    # A re-registration: variant spellings, day/month swapped, no document, new phone.
    rows += [
        person(
            "R1",
            "Mohammad",
            "al-Hosseini",
            "Hossein",
            "M",
            "1984-03-07",
            document_number="P123456",
            phone="+98 912 1112233",
        ),
        person("R2", "Muhammad", "Husseini", "Husayn", "M", "1984-07-03", phone="+964 770 9998877"),
    ]
    # A partial date and a Persian/Arabic spelling pair.
    rows += [
        person("F1", "Fatemeh", "Tavakoli", "Abdulrahman", "F", "1990-05-12"),
        person("F2", "Fatima", "Tavakkoli", "Abdel Rahman", "F", "1990"),
    ]
    # Siblings: same family and father, different given names; twins: same birth date too.
    rows += [
        person("S1", "Hassan", "Jafarzadeh", "Kazem", "M", "2001-02-02", phone="0912 5550001"),
        person("S2", "Hossein", "Jafarzadeh", "Kazem", "M", "2001-02-02", phone="0912 5550001"),
        person("S3", "Ali", "Jafarzadeh", "Kazem", "M", "2003-06-01", phone="0912 5550001"),
        person("S4", "Alia", "Jafarzadeh", "Kazem", "F", "2003-06-01", phone="0912 5550001"),
    ]
    # Chaining bait: A ~ B (same person, partial date), B ~ C weakly, A and C clearly apart.
    rows += [
        person("C1", "Ebrahim", "Nasseri", "Yaqub", "M", "1970-01-15"),
        person("C2", "Ibrahim", "Naseri", "", "M", "1970"),
        person("C3", "Ebrahim", "Naseri", "Yaqub", "M", "1971-11-30", document_number="X999"),
    ]
    return rows, dedup(rows)


def test_reregistration_with_variants_and_swapped_date_is_found(scenario):
    _, res = scenario
    assert same_cluster(res, "R1", "R2")
    assert same_cluster(res, "F1", "F2")


def test_siblings_and_twins_stay_apart(scenario):
    _, res = scenario
    for a, b in [("S1", "S2"), ("S1", "S3"), ("S3", "S4"), ("S2", "S3")]:
        assert not same_cluster(res, a, b), (a, b)


def test_no_chaining_through_a_weak_link(scenario):
    _, res = scenario
    assert not (
        same_cluster(res, "C1", "C2")
        and same_cluster(res, "C2", "C3")
        and not _pair_prob(res, "C1", "C3") >= res.threshold
    )


def _pair_prob(res, a, b):
    ids = res.dataset.person_ids
    i, j = sorted((ids.index(a), ids.index(b)))
    for k, (x, y) in enumerate(zip(res.ia.tolist(), res.ib.tolist(), strict=True)):
        if (x, y) == (i, j):
            return float(res.probability[k])
    return 0.0


def test_cluster_splits_a_chain():
    """Components are re-split: a weak member is not glued to everyone."""
    import numpy as np

    from onward.dedup.engine.cluster import cluster_ids

    ia, ib = np.array([0, 1]), np.array([1, 2])
    w = np.array([10.0, 10.0])

    # A~B strong, B~C strong, but A vs C strongly negative: never {A, B, C}.
    def rescore(pa, pb):
        return np.array([10.0 if {a, b} != {0, 2} else -30.0 for a, b in zip(pa, pb, strict=False)])

    ids = cluster_ids(3, ia, ib, w, 0.0, -3.0, rescore)
    assert not (ids[0] == ids[1] == ids[2])


def test_thresholds_are_label_free_defaults(scenario):
    _, res = scenario
    assert res.threshold == DEFAULT_THRESHOLD == 0.5
    assert res.review_threshold == DEFAULT_REVIEW_THRESHOLD < res.threshold
    # lambda is estimated from the data: a small prior, never a tuned constant
    assert 0 < res.model.lam < 0.01


def test_model_is_estimated_from_the_data(scenario):
    rows, _ = scenario
    ds = prepare(rows)
    ia, ib = candidate_pairs(ds)
    model = fit_model(ds, compare(ds, ds, ia, ib), ia, ib)
    names = [s.name for s in model.specs]
    g = names.index("given_name")
    # agreeing on the given name is far likelier for matches than for random pairs
    assert model.m[g][-1] + model.m[g][-2] > 10 * (model.u[g][-1] + model.u[g][-2])


def test_find_pairs_and_cluster_api(scenario):
    rows, _ = scenario
    pairs = find_pairs(rows)
    assert pairs and all(p.probability >= DEFAULT_REVIEW_THRESHOLD for p in pairs)
    top = pairs[0]
    assert set(top.levels) >= {"given_name", "birth_date", "sex", "phone"}
    ids = cluster(rows, pairs)
    assert len(ids) == len(rows)
    pos = {r["person_id"]: i for i, r in enumerate(rows)}
    assert ids[pos["R1"]] == ids[pos["R2"]]
    assert ids[pos["S1"]] != ids[pos["S2"]]


def test_missing_values_are_null_levels():
    rows = [person("A", "Reza", "Karimi", "", "", ""), person("B", "Rida", "Karimi", "", "", "")]
    ds = prepare(rows)
    import numpy as np

    lv = compare(ds, ds, np.array([0]), np.array([1]))[0]
    assert lv[2] == -1 and lv[3] == -1 and lv[4] == -1  # father, birth date, sex: null


def test_top_matches_finds_the_registered_person(scenario):
    rows, _ = scenario
    index = build_index(rows)
    new = person("NEW", "Mohamed", "Hosseini", "Hussein", "M", "1984", phone="")
    found = top_matches(new, index, k=3)
    assert found and found[0].person_id in ("R1", "R2")
    twin = person("NEW2", "Hossein", "Jafarzadeh", "Kazem", "M", "2001-02-02")
    ids = [m.person_id for m in top_matches(twin, index, k=5)]
    assert "S1" not in ids  # the sibling Hassan is never proposed for Hossein


def test_a_stored_model_round_trips_through_json_and_builds_an_index_without_fitting(scenario):
    import json

    from onward.dedup.engine import model_from_dict, model_to_dict

    rows, _ = scenario
    res = dedup(rows)
    stored = json.loads(json.dumps(model_to_dict(res.model)))
    model = model_from_dict(stored)
    assert model.lam == pytest.approx(res.model.lam) and model.n_records == len(rows)
    index = build_index(rows + rows[:0], model=model)
    assert index.model.tf  # term frequencies counted on the indexed registry
    new = person("NEW", "Mohamed", "Hosseini", "Hussein", "M", "1984", phone="")
    assert top_matches(new, index, k=3)[0].person_id in ("R1", "R2")
    bigger = build_index(
        rows + [dict(r, person_id=f"X{i}") for i, r in enumerate(rows)], model=model
    )
    assert bigger.model.lam == pytest.approx(res.model.lam * (len(rows) - 1) / (2 * len(rows) - 1))


def test_a_stored_model_of_other_fields_is_refused(scenario):
    from onward.dedup.engine import model_from_dict, model_to_dict

    rows, _ = scenario
    data = model_to_dict(dedup(rows).model)
    with pytest.raises(ValueError):
        model_from_dict({**data, "format": 99})
    with_extra = [dict(r, extra={"address": "x"}) for r in rows]
    with pytest.raises(ValueError):
        build_index(with_extra, model=model_from_dict(data))


def test_partial_date_with_swapped_day_and_month_is_a_swap():
    import numpy as np

    ds = prepare(
        [
            person("A", "Ali", "Rezaei", "", "M", "1991-10"),
            person("B", "Ali", "Rezaei", "", "M", "1991-01-10"),
            person("C", "Ali", "Rezaei", "", "M", "1991-02-03"),
        ]
    )
    lv = compare(ds, ds, np.array([0, 1]), np.array([1, 2]))[:, 3]
    assert lv.tolist() == [3, 0]  # swapped; same year but another month and day: different


def test_level_patterns_are_counted_like_numpy_unique_rows():
    from onward.dedup.engine.model import patterns

    rng = np.random.default_rng(0)
    for n_fields in (8, 14, 30):  # bincount, int codes + unique, and the row fallback
        lv = rng.integers(-1, 5, (5000, n_fields)).astype(np.int8)
        lv[:2000] = lv[0]
        got, counts = patterns(lv)
        want, want_counts = np.unique(lv, axis=0, return_counts=True)
        order = np.lexsort(got.T[::-1])
        assert (got[order] == want).all() and (counts[order] == want_counts).all()


def test_a_huge_component_split_leaves_its_loose_members_alone():
    """A chain longer than MAX_COMPONENT of links just over the threshold is split by
    raising the bar: no link clears it, and each member is its own cluster (they were
    all left in one cluster of 1,600: at 5M records such leftovers made one cluster of
    thousands)."""
    from onward.dedup.engine.cluster import MAX_COMPONENT, cluster_ids

    n = MAX_COMPONENT + 100
    ia = np.arange(n - 1)
    ib = ia + 1
    w = np.full(n - 1, 1.0)
    ids = cluster_ids(n, ia, ib, w, 0.5, -3.0, lambda pa, pb: np.full(len(pa), 1.0))
    assert len(set(ids.tolist())) == n
    # A strong pair inside it stays together.
    w[10] = 9.0
    ids = cluster_ids(n, ia, ib, w, 0.5, -3.0, lambda pa, pb: np.full(len(pa), 9.0))
    assert ids[10] == ids[11] and len(set(ids.tolist())) == n - 1


def test_components_are_labelled_by_their_smallest_node():
    from onward.dedup.engine.cluster import components

    labels = components(7, np.array([5, 1, 6]), np.array([4, 3, 4]))
    assert labels.tolist() == [0, 1, 2, 1, 4, 4, 4]


def test_candidate_pairs_are_sorted_unique_and_compact(scenario):
    rows, res = scenario
    ia, ib = res.ia, res.ib
    assert ia.dtype == np.int32 and (ia < ib).all()
    code = ia.astype(np.int64) * len(rows) + ib
    assert (np.diff(code) > 0).all()


def _crowded_registry(n: int = 3_000) -> list[dict]:
    """Few names and dates: blocks of hundreds (windowed), one birth date block of
    exactly MAX_BLOCK records and one of MAX_BLOCK + 1 (the window's edge)."""
    from onward.dedup.engine.blocking import MAX_BLOCK

    rng = np.random.default_rng(5)
    given = ["Mohammad", "Ali", "Hassan", "Fatima", "Zainab"]
    family = ["Hosseini", "Mohammadi", "Karimi", "Ahmadi"]
    father = ["Reza", "Omar", "", "Jafar"]
    dates = [f"19{y}-0{m}-1{d}" for y in range(60, 99) for m in range(1, 3) for d in range(3)]
    rows = []
    for i in range(n):
        if i < MAX_BLOCK:
            date = "1950-05-05"
        elif i < 2 * MAX_BLOCK + 1:
            date = "1951-06-06"
        else:
            date = dates[rng.integers(len(dates))]
        rows.append(
            {
                "person_id": f"P{i:05d}",
                "given_name": given[rng.integers(len(given))],
                "family_name": family[rng.integers(len(family))],
                "father_name": father[rng.integers(len(father))],
                "sex": "MF"[rng.integers(2)],
                "birth_date": date,
                "nationality": "AFG",
                "phone": f"0790{rng.integers(300):07d}",
            }
        )
    return rows


def test_blocking_split_into_small_parts_gives_the_pairs_of_whole_keys():
    """A key's part is a range of its blocks and the union is made by buckets of the
    first index: with parts of a few hundred pairs (hundreds of parts and buckets) the
    candidate pairs are those of one part per key, and those of every key's own pairs."""
    from onward.dedup.engine.blocking import (
        blocking_keys,
        key_ranks,
        pairs_for_key,
        secondary_rank,
    )

    ds = prepare(_crowded_registry())
    n = len(ds)
    whole = candidate_pairs(ds, part_pairs=1 << 40)
    split = candidate_pairs(ds, part_pairs=300)
    assert np.array_equal(whole[0], split[0]) and np.array_equal(whole[1], split[1])
    rank, ranks = secondary_rank(ds), key_ranks(ds)
    codes = []
    for name, code in blocking_keys(ds).items():
        a, b = pairs_for_key(code, ranks.get(name, rank))
        codes.append(a.astype(np.int64) * n + b)
    expected = np.unique(np.concatenate(codes))
    got = split[0].astype(np.int64) * n + split[1]
    assert np.array_equal(got, expected)
    # The date blocks: 60 records all paired, 61 only with their 12 next.
    at_edge = (split[0] < 60) & (split[1] < 60)
    assert at_edge.sum() == 60 * 59 // 2
    assert len(split[0]) > 50 * (1 << 10)  # big windowed blocks: many pairs, many parts


def _person(given, family, father, date, i):
    return {
        "person_id": f"P{i:05d}",
        "given_name": given,
        "family_name": family,
        "father_name": father,
        "sex": "M",
        "birth_date": date,
        "nationality": "IRQ",
    }


def _has_pair(rows, i, j, **kw):
    ia, ib = candidate_pairs(prepare(rows), **kw)
    return bool(((ia == min(i, j)) & (ib == max(i, j))).any())


def test_swapped_names_with_a_typo_and_the_year_off_by_one_are_candidates():
    """Issue 25 at a million records: given and family swapped, one of them mistyped
    (Hassan -> Khassan) and the year one off share no one-name key; the name that is
    still right meets its original through the two-column name + day/month key."""
    rows = [
        _person("Hassan", "Yousefi", "Omar", "1966-11-19", 0),
        _person("Yousefi", "Khassan", "", "1965-11-19", 1),
        _person("Hassan", "Karimi", "Ali", "1966-11-19", 2),  # another man, same date
    ]
    assert _has_pair(rows, 0, 1)
    index = build_index(rows)
    found = top_matches(rows[1], index, k=3, min_probability=-1)
    assert "P00000" in [m.person_id for m in found]  # the lookup reads both columns


def test_a_big_swapped_order_block_sorts_by_the_names_not_by_the_family_field():
    """30 Ali Karimi (one a year) and one Karimi Ali, no father, no full date: only the
    swapped-order key brings them together, and in a windowed block (max 5, window 2)
    the pair meets only if the block is sorted by the names in key order, then year."""
    rows = [_person("Ali", "Karimi", f"F{y}", str(y), y - 1950) for y in range(1950, 1980)]
    rows.append(_person("Karimi", "Ali", "", "1965", 30))
    assert _has_pair(rows, 15, 30, max_block=5, window=2)
