"""Registry persons as the engine's plain records."""

from onward.registry.models import Person
from onward.vault.fields import readable

# Decrypted by the model fields on the way out; a value that cannot be decrypted counts
# as unknown (two "[unreadable]" placeholders must never look like the same document).
ENCRYPTED = ("document_number", "phone")

FIELDS = (
    "pk",
    "person_id",
    "given_name",
    "family_name",
    "father_name",
    "sex",
    "birth_date",
    "birth_precision",
    "nationality",
    "document_number",
    "phone",
)


def engine_birth_date(birth_date, precision: str) -> str:
    if not birth_date:
        return ""
    return {"Y": f"{birth_date:%Y}", "M": f"{birth_date:%Y-%m}"}.get(
        precision, birth_date.isoformat()
    )


def as_record(row: dict) -> dict:
    record = {
        k: row.get(k) or ""
        for k in (
            "person_id",
            "given_name",
            "family_name",
            "father_name",
            "sex",
            "nationality",
            "document_number",
            "phone",
        )
    }
    for k in ENCRYPTED:
        record[k] = readable(record[k])
    record["birth_date"] = engine_birth_date(row.get("birth_date"), row.get("birth_precision"))
    return record


def registry_records() -> tuple[list[dict], dict[str, int]]:
    """Every active (unmerged, not anonymised by retention) person as an engine record,
    and person_id -> pk."""
    rows = (
        Person.objects.filter(merged_into__isnull=True, removed_at__isnull=True)
        .filter(anonymised_at__isnull=True)  # markers for names: nothing to compare
        .order_by("pk")
        .values(*FIELDS)
    )
    records, pks = [], {}
    for row in rows.iterator(chunk_size=5000):
        records.append(as_record(row))
        pks[row["person_id"]] = row["pk"]
    return records, pks


COLUMN_FIELDS = (
    "person_id",
    "given_name",
    "family_name",
    "father_name",
    "sex",
    "birth_date",
    "birth_precision",
    "nationality",
    "document_number",
    "phone",
)


def registry_dataset(vocabs=None):
    """Every active person straight into the engine's column arrays (engine Dataset):
    one values_list query streamed in chunks, no dict or record per person.  A million
    persons load in seconds, which is what the registration-time index needs."""
    from onward.dedup.engine.prepare import prepare_columns

    rows = (
        Person.objects.filter(merged_into__isnull=True, removed_at__isnull=True)
        .filter(anonymised_at__isnull=True)  # markers for names: nothing to compare
        .order_by("pk")
        .values_list(*COLUMN_FIELDS)
        .iterator(chunk_size=20_000)
    )
    cols = list(zip(*rows, strict=True)) or [()] * len(COLUMN_FIELDS)
    data = dict(zip(COLUMN_FIELDS, cols, strict=True))
    for k in ENCRYPTED:
        data[k] = [readable(v) for v in data[k]]
    dates = {
        pair: engine_birth_date(*pair)
        for pair in set(zip(data["birth_date"], data["birth_precision"], strict=True))
    }
    data["birth_date"] = [
        dates[pair] for pair in zip(data["birth_date"], data.pop("birth_precision"), strict=True)
    ]
    return prepare_columns(list(data.pop("person_id")), data, vocabs=vocabs)
