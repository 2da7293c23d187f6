"""`onward forecast --as-of DATE [--months N] [--runs N] [--seed N] [--places PLEDGE:+N]
[--scenario KIND:ARGS] [--input IN.json] [--dump IN.json] [--backtest] [--out OUT.json]`:
the population forecast from the records as of a date (docs/forecast.md).

--input runs the engine on a file of its contract, without the records. Scenarios:
`pledge:COUNTRY:PLACES[:YYYY-MM-DD]`, `stop:COUNTRY`, `transfers:FACTOR`. Bad input (an
unknown pledge, negative places, a date outside the records) is refused naming it."""

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def parse_scenario(text: str):
    from onward.reports.forecast import ForecastError, parse_scenario

    try:
        return parse_scenario(text)
    except ForecastError as exc:
        raise CommandError(f"--{exc}") from exc


def parse_places(text: str) -> tuple[str, int]:
    pledge, _, n = text.partition(":")
    try:
        return pledge, int(n)
    except ValueError as exc:
        raise CommandError(f"--places {text!r}: PLEDGE:N is needed (N a whole number)") from exc


class Command(BaseCommand):
    help = "Forecasts the population from the records as of a date (median and interval)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: the records' last date)")
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--runs", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--places",
            action="append",
            default=[],
            help="PLEDGE_ID:N more (or -N fewer) places on a recorded pledge",
        )
        parser.add_argument("--scenario", action="append", default=[])
        parser.add_argument("--input", help="the engine's JSON input (no records read)")
        parser.add_argument("--dump", help="write the engine's input built from the records")
        parser.add_argument(
            "--backtest", action="store_true", help="also forecast from every month of the history"
        )
        parser.add_argument("--out", help="write the JSON here instead of stdout")

    def handle(self, *args, **o):
        from onward.reports import forecast as fc

        try:
            result = self._result(fc, o)
        except fc.ForecastError as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(result, indent=1)
        if o["out"]:
            Path(o["out"]).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")

    def _result(self, fc, o) -> dict:
        if o["input"]:
            data = json.loads(Path(o["input"]).read_text(encoding="utf-8"))
            data.setdefault("as_of", dt.date.today().isoformat())
            return {"forecast": fc.run_forecast(data)}
        on = self._as_of(fc, o["as_of"])
        if o["months"] < 1 or o["runs"] < 1:
            raise CommandError("--months and --runs must be at least 1")
        data = fc.forecast_input(on, months=o["months"], runs=o["runs"], seed=o["seed"])
        for text in o["places"]:
            data = fc.add_places_to(data, *parse_places(text))
        if o["dump"]:
            Path(o["dump"]).write_text(json.dumps(data, indent=1), encoding="utf-8")
        result = {"as_of": on.isoformat(), "forecast": fc.run_forecast(data), "scenarios": []}
        for text in o["scenario"]:
            scenario = parse_scenario(text)
            result["scenarios"].append(
                {"label": scenario.label, "forecast": fc.run_forecast(fc.apply(data, scenario))}
            )
        if o["backtest"]:
            result["backtest"] = fc.backtest(on, runs=min(o["runs"], 500), seed=o["seed"])
        return result

    def _as_of(self, fc, text):
        if not text:
            bounds = fc.history_bounds()
            if bounds is None:
                raise CommandError("as of: there are no records to forecast from")
            return bounds[1]
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from exc
