"""The one date parser (clusterdiscovery._dates) and every stage that reads dates through it:
schema validation, service events, monitoring and the command line."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery import ClientSchema
from clusterdiscovery._dates import check_not_future, parse_date, parse_dates, today
from clusterdiscovery.cli import main
from clusterdiscovery.exceptions import SchemaError
from clusterdiscovery.features import aggregate_events
from clusterdiscovery.monitoring import review_status

# (values, the message's distinctive words) for each bad column
BAD = {
    "ambiguous": (["01/02/2025", "03/04/2025"], r"'01/02/2025'.*1 February.*2 January"),
    "ambiguous beside day-first": (["01/02/2025", "30/11/2025"],
                                   r"'30/11/2025'.*day first.*'%d/%m/%Y'"),
    "mixed day and month first": (["13/02/2024", "02/13/2024"],
                                  r"mixes day-first and month-first.*'13/02/2024'.*'02/13/2024'"),
    "year 2300": (["2024-01-01", "2300-01-01"], r"outside the range pandas can hold.*2300"),
    "year 1600": (["1600-05-01", "2024-01-01"], r"outside the range pandas can hold.*1600"),
    "not a date": (["2024-01-01", "not a date"], r"not dates.*'not a date'"),
    "impossible day": (["2024-02-30"], r"not dates.*'2024-02-30'"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_column_is_refused_naming_the_column(case):
    values, words = BAD[case]
    with pytest.raises(SchemaError, match=r"Column 'seen_on' of the events table") as info:
        parse_dates(pd.Series(values), "seen_on", table="events")
    assert re.search(words, str(info.value)), str(info.value)


def test_iso_dates_read_and_missing_cells_stay_missing():
    s = pd.Series(["2025-03-31", None, "", "2025-04-01T10:30", "2025-04-02 00:00:00"],
                  index=[5, 5, 6, 7, 8])
    out = parse_dates(s, "d")
    assert out.dtype == "datetime64[ns]"
    assert list(out.index) == [5, 5, 6, 7, 8]
    assert out.isna().tolist() == [False, True, True, False, False]
    assert out.iloc[3] == pd.Timestamp("2025-04-01 10:30")


def test_explicit_format_reads_day_first_and_refuses_the_rest():
    out = parse_dates(pd.Series(["01/02/2025", "30/11/2025"]), "d", date_format="%d/%m/%Y")
    assert out.tolist() == [pd.Timestamp("2025-02-01"), pd.Timestamp("2025-11-30")]
    with pytest.raises(SchemaError, match=r"Column 'd'.*format '%d/%m/%Y'.*'2025-02-01'"):
        parse_dates(pd.Series(["01/02/2025", "2025-02-01"]), "d", date_format="%d/%m/%Y")
    with pytest.raises(SchemaError, match=r"outside the range.*2300"):
        parse_dates(pd.Series(["01/02/2300"]), "d", date_format="%d/%m/%Y")


def test_numbers_and_out_of_range_datetimes_are_refused():
    with pytest.raises(SchemaError, match=r"Column 'd' holds numbers"):
        parse_dates(pd.Series([20250101, 20250102]), "d")
    wide = pd.Series(np.array(["2300-01-01", "2024-01-01"], dtype="datetime64[s]"))
    with pytest.raises(SchemaError, match=r"Column 'd'.*outside the range.*2300"):
        parse_dates(wide, "d")


def test_parameter_dates():
    assert parse_date("2025-11-30", "as_of") == pd.Timestamp("2025-11-30")
    assert parse_date("01/02/2025", "--as-of", date_format="%d/%m/%Y") == pd.Timestamp(
        "2025-02-01")
    with pytest.raises(ValueError, match=r"'--as-of' parameter.*'01/02/2025'.*--date-format"):
        parse_date("01/02/2025", "--as-of")
    with pytest.raises(ValueError, match=r"'as_of' parameter '2099-03-01' is more than a year"):
        parse_date("2099-03-01", "as_of")
    with pytest.raises(ValueError, match=r"'as_of' parameter.*outside the range"):
        parse_date("2300-01-01", "as_of", allow_future=True)
    with pytest.raises(TypeError, match=r"'as_of' parameter.*number 20250101"):
        parse_date(20250101, "as_of")
    # a tz-aware Timestamp keeps its wall-clock date
    ts = pd.Timestamp("2025-01-01 23:30", tz="Europe/London")
    assert parse_date(ts, "as_of") == pd.Timestamp("2025-01-01 23:30")


def test_a_future_typo_cannot_become_as_of():
    late = pd.Series(pd.to_datetime(["2024-01-01", "2099-05-01"]))
    with pytest.raises(SchemaError, match=r"Column 'date'.*after today.*2099-05-01.*as_of"):
        check_not_future(late, "date")
    check_not_future(pd.Series([today()]), "date")  # today itself is fine


def _events(dates):
    return pd.DataFrame({"client_id": ["a"] * len(dates), "date": dates,
                         "service": ["contact"] * len(dates), "cost": [1.0] * len(dates)})


@pytest.mark.parametrize("case", ["ambiguous", "mixed day and month first", "year 2300",
                                  "year 1600", "not a date"])
def test_events_refuse_each_bad_date(case):
    values, words = BAD[case]
    with pytest.raises(SchemaError, match=r"Column 'date' of the events table") as info:
        aggregate_events(_events(values))
    assert re.search(words, str(info.value))


def test_events_future_typo_and_date_format():
    with pytest.raises(SchemaError, match=r"'date'.*after today.*2099-01-05.*as_of"):
        aggregate_events(_events(["2024-01-01", "2099-01-05"]))
    # given as_of, a later (booked) event is simply after the cut-off
    out = aggregate_events(_events(["2024-01-01", "2099-01-05"]), as_of="2024-06-30")
    assert out.loc["a", "n_total"] == 1
    out = aggregate_events(_events(["01/02/2024", "30/11/2024"]), date_format="%d/%m/%Y")
    assert out.loc["a", "last_contact"] == pd.Timestamp("2024-11-30")
    assert out.loc["a", "first_contact"] == pd.Timestamp("2024-02-01")


def test_schema_validation_refuses_bad_dates_and_reads_date_format():
    df = pd.DataFrame({"client_id": ["a", "b"], "age": [30.0, 40.0],
                       "referral_date": ["01/02/2025", "03/04/2025"]})
    schema = ClientSchema(id="client_id", features={"age": "continuous"},
                          dates=["referral_date"])
    with pytest.raises(SchemaError, match=r"Column 'referral_date' of the client table.*"
                                          r"date_format = '%d/%m/%Y'"):
        schema.validate(df)
    dated = ClientSchema(id="client_id", features={"age": "continuous"},
                         dates=["referral_date"], date_format="%d/%m/%Y")
    assert dated.validate(df) is df
    assert ClientSchema.from_dict(dated.to_dict()).date_format == "%d/%m/%Y"
    for values in (["2024-01-01", "not a date"], ["2300-01-01", "2024-01-01"]):
        with pytest.raises(SchemaError, match=r"Column 'referral_date'"):
            schema.validate(df.assign(referral_date=values))
    with pytest.raises(SchemaError, match=r"date_format"):
        ClientSchema(id="client_id", features={"age": "continuous"}, date_format="dd/mm/yyyy")


def test_monitoring_refuses_bad_dates_naming_the_column():
    a = pd.DataFrame({"client_id": ["a"], "cluster": [1], "assigned_on": ["2025-01-01"]})
    c = pd.DataFrame({"client_id": ["a", "a"], "date": ["2025-01-02", "13/02/2025"]})
    with pytest.raises(SchemaError, match=r"Column 'date' of the 'contacts' table.*day first"):
        review_status(a, c, as_of="2025-03-01")
    c = pd.DataFrame({"client_id": ["a"], "date": ["2025-01-02"]})
    with pytest.raises(SchemaError, match=r"Column 'assigned_on'.*outside the range"):
        review_status(a.assign(assigned_on=["2300-01-01"]), c, as_of="2025-03-01")
    with pytest.raises(ValueError, match=r"'as_of' parameter.*'01/03/2025'"):
        review_status(a, c, as_of="01/03/2025")


def test_monitor_command_date_format_and_bad_as_of(tmp_path, capsys):
    a = tmp_path / "a.csv"
    c = tmp_path / "c.csv"
    pd.DataFrame({"client_id": ["a", "b"], "cluster": [1, 2],
                  "assigned_on": ["01/02/2025", "15/02/2025"], "team": ["T", "T"]}).to_csv(
        a, index=False)
    pd.DataFrame({"client_id": ["a", "b"], "date": ["03/02/2025", "20/02/2025"],
                  "team": ["T", "T"]}).to_csv(c, index=False)
    out = tmp_path / "o"
    assert main(["monitor", str(a), str(c), "--as-of", "01/03/2025", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "'--as-of'" in err and "--date-format" in err
    assert main(["monitor", str(a), str(c), "--as-of", "2025-03-01", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Column 'date' of the 'contacts' table" in err and "day first" in err
    code = main(["monitor", str(a), str(c), "--as-of", "01/03/2025", "--date-format",
                 "%d/%m/%Y", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    status = pd.read_csv(out / "status.csv")
    assert sorted(status["assigned_on"]) == ["2025-02-01", "2025-02-15"]


def test_python_dates_are_dates():
    out = parse_dates(pd.Series([dt.date(2024, 1, 1), None, "2024-01-05"]), "d")
    assert out.tolist()[0] == pd.Timestamp("2024-01-01") and pd.isna(out.iloc[1])


def test_discover_command_refuses_bad_as_of_before_any_work(tmp_path, capsys):
    for value, words in [("01/02/2025", "could be 1 February (day first) or 2 January"),
                         ("2099-01-01", "more than a year after today"),
                         ("2300-01-01", "outside the range pandas can hold"),
                         ("not a date", "must be a date in ISO 8601")]:
        out = tmp_path / "o"
        assert main(["discover", "--as-of", value, "--out", str(out), "--quiet"]) == 1
        err = capsys.readouterr().err
        assert "'--as-of' parameter" in err and words in err, err
        assert not out.exists()
