"""Reading a bank statement export (CSV or XLSX) with a `BankMapping` into incoming lines, all or nothing.

The file goes through tenant_apps.core.tables.read_table (size, rows, columns, cell length, XLSX bombs: a 413
naming the limit; a file that is not CSV/XLSX or not text: a file error). Then:
- the header row is the mapping's `header_row`, or (0) the first of the first 30 rows naming a date column and
  an amount column: bank exports start with title rows (账号, 户名, 查询区间...);
- every row below is a credit (money in: a line), a debit (counted and skipped), a summary or footer row
  (合计, 以下空白: skipped), or an error of that row (a date or amount that cannot be read);
- amounts are read the ways banks write them: "1,234.50", "￥1,234.50", "1234.50元", full-width digits,
  "(1,234.50)" and "-1,234.50" as negative, "-" or "" as nothing; a formula (=...) is not a number;
- any error and nothing of the file is used (`StatementUnreadable` with the row-level report).

Pure: no query here (the caller resolves duplicates and writes)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import is_currency
from django.utils.translation import gettext as _

from tenant_apps.core.tables import FileUnreadable, RowError, capped_errors, file_error, read_table
from tenant_apps.finance.bank.mappings import DATE_FORMATS
from tenant_apps.finance.services import MAX_AMOUNT

MAX_LINES = 20_000  # rows of one statement file
HEADER_SEARCH_ROWS = 30
SUMMARY_WORDS = ("合计", "总计", "小计", "本页", "以下空白", "total", "subtotal")
CURRENCY_WORDS = {"人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "美元": "USD", "港币": "HKD", "港元": "HKD",
                  "欧元": "EUR", "日元": "JPY"}


@dataclass
class ParsedLine:
    row: int
    booked_on: date
    amount: Decimal
    currency: str
    payer_name: str
    payer_account: str
    remark: str
    serial: str
    dedupe_key: str = ""


@dataclass
class ParsedStatement:
    rows: int  # data rows read (credits, debits, summaries)
    lines: list[ParsedLine]
    debits: int


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width to half-width), no whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def money_value(text: str) -> Decimal | None:
    """A bank's amount text as a Decimal (None when the cell is empty or a dash); ValueError when it is no
    number (a formula, words)."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if value in ("", "-", "--", "—"):
        return None
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1].strip()
    for noise in ("¥", "￥", "RMB", "CNY", "元", ",", " ", "\u00a0", "'"):
        value = value.replace(noise, "")
    if value.endswith("-") and value[:-1].replace(".", "", 1).isdigit():  # "1234.50-": a trailing minus
        negative, value = not negative, value[:-1]
    if value.startswith("+"):
        value = value[1:]
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    if not _NUMBER.fullmatch(value):
        raise ValueError(text)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    return -amount if negative else amount


def date_value(text: str, formats: list[str]) -> date:
    value = unicodedata.normalize("NFKC", text or "").strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?", value):  # an XLSX date-time cell
        return datetime.fromisoformat(value.replace(" ", "T")).date()
    raise ValueError(text)


def _formats(mapping) -> list[str]:
    own = [fmt for fmt in (mapping.date_formats or "").split("|") if fmt.strip()]
    return own + [fmt for fmt in DATE_FORMATS.split("|") if fmt not in own]


def _decode(data: bytes, encoding: str) -> bytes | str:
    """CSV bytes as the mapping says: auto (read_table tries UTF-8, then GB18030), or one encoding enforced."""
    if encoding == "gbk":
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise file_error(_("The file is not GBK (GB18030) text. Check the mapping's encoding.")) from None
    if encoding == "utf-8":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise file_error(_("The file is not UTF-8 text. Check the mapping's encoding.")) from None
    return data


def _columns(header: list[str], mapping) -> dict[str, list[int]]:
    """field -> the header positions it reads (remark: every one found, joined; the others: the first)."""
    keys = [header_key(cell) for cell in header]
    found: dict[str, list[int]] = {}
    for field, names in (mapping.columns or {}).items():
        positions = []
        for name in names if isinstance(names, list) else [names]:
            key = header_key(str(name))
            if key and key in keys:
                positions.append(keys.index(key))
        if positions:
            found[field] = positions if field == "remark" else positions[:1]
    return found


def _is_header(columns: dict) -> bool:
    return "date" in columns and ("credit" in columns or "amount" in columns)


def _cell(row: list[str], positions: list[int] | None, joiner: str = " ") -> str:
    if not positions:
        return ""
    values = [row[i].strip() for i in positions if i < len(row) and row[i].strip()]
    return joiner.join(dict.fromkeys(values))


def _expected(mapping) -> str:
    columns = mapping.columns or {}
    names = [*columns.get("date", [])[:1], *(columns.get("credit") or columns.get("amount") or [])[:1]]
    return "、".join(f"“{name}”" for name in names)


def statement_parse(*, data: bytes, filename: str, mapping, default_currency: str) -> ParsedStatement:
    """The incoming lines of the file, or FileUnreadable with the errors (row 0: the file)."""
    if filename.lower().endswith(".csv"):
        data = _decode(data, mapping.encoding)
    table = read_table(file=data, filename=filename, max_rows=MAX_LINES)
    formats = _formats(mapping)
    marks = {header_key(mark) for mark in (mapping.credit_marks or "").split("|") if mark.strip()}
    header_at, columns = 0, {}
    rows = iter(enumerate(table, start=1))
    for number, row in rows:
        if mapping.header_row and number < mapping.header_row:
            continue
        columns = _columns(row, mapping)
        if mapping.header_row or _is_header(columns) or number >= HEADER_SEARCH_ROWS:
            header_at = number
            break
    if not _is_header(columns):
        raise file_error(_("No header row with the columns %(columns)s was found (mapping “%(mapping)s”). Pick "
                           "the mapping of the bank the file comes from, or edit the mapping.")
                         % {"columns": _expected(mapping), "mapping": mapping.name})
    errors: list[RowError] = []
    lines: list[ParsedLine] = []
    seen: dict[str, int] = {}
    read = debits = 0
    for number, row in rows:
        if not any(row):
            continue
        text = " ".join(row).casefold()
        date_text = _cell(row, columns.get("date"))
        try:
            booked_on = date_value(date_text, formats)
        except ValueError:
            if not date_text or any(word in text for word in SUMMARY_WORDS):
                continue  # a summary or footer row (合计, 以下空白, the bank's notes)
            errors.append(RowError(row=number, field="date", message=_(
                "“%(value)s” is not a date in a format of this mapping.") % {"value": date_text[:40]}))
            continue
        read += 1
        try:
            amount, incoming = _amount(row, columns, marks)
        except ValueError as bad:
            errors.append(RowError(row=number, field=str(bad.args[0]), message=_(
                "“%(value)s” is not an amount (such as 1,234.50).") % {"value": str(bad.args[1])[:40]}))
            continue
        if not incoming:
            debits += 1
            continue
        line, problem = _line(number, row, columns, booked_on, amount, default_currency)
        if problem:
            errors.append(problem)
            continue
        lines.append(line)
        base = _dedupe_base(line)
        seen[base] = seen.get(base, 0) + 1
        line.dedupe_key = base if line.serial else f"{base}#{seen[base]}"
    if errors:
        raise FileUnreadable(capped_errors(errors))
    if not read:
        raise FileUnreadable([RowError(row=header_at, field="", message=_(
            "The file has a header but no rows below it."))])
    return ParsedStatement(rows=read, lines=lines, debits=debits)


def _amount(row: list[str], columns: dict, marks: set[str]) -> tuple[Decimal, bool]:
    """(amount, incoming). ValueError((field, text)) when a cell is not a number."""
    def read(field):
        text = _cell(row, columns.get(field))
        try:
            return money_value(text)
        except ValueError:
            raise ValueError(field, text) from None

    if "credit" in columns:
        credit = read("credit")
        if credit is not None and credit > 0:
            return credit, True
        debit = read("debit") if "debit" in columns else None
        return (debit if debit is not None else (credit or Decimal(0))), False
    amount = read("amount")
    if amount is None or amount == 0:
        return Decimal(0), False
    if "direction" in columns and marks:
        return abs(amount), header_key(_cell(row, columns["direction"])) in marks
    return abs(amount), amount > 0


def _line(number, row, columns, booked_on, amount, default_currency) -> tuple[ParsedLine | None, RowError | None]:
    if amount > MAX_AMOUNT:
        return None, RowError(row=number, field="amount", message=_("At most %(max)s.") % {"max": f"{MAX_AMOUNT:,}"})
    if amount != amount.quantize(Decimal("0.01")):
        return None, RowError(row=number, field="amount", message=_("At most 2 decimal places."))
    currency_text = unicodedata.normalize("NFKC", _cell(row, columns.get("currency"))).strip().upper()
    currency = CURRENCY_WORDS.get(currency_text, currency_text) or default_currency
    if not re.fullmatch(r"[A-Z]{3}", currency) or not is_currency(currency):
        return None, RowError(row=number, field="currency", message=_("“%(value)s” is not a known currency.")
                              % {"value": currency_text[:20]})
    serial = _cell(row, columns.get("serial"))
    if len(serial) > 90:
        return None, RowError(row=number, field="serial", message=_("The bank serial is longer than 90 characters."))
    return ParsedLine(row=number, booked_on=booked_on, amount=amount.quantize(Decimal("0.01")), currency=currency,
                      payer_name=_cell(row, columns.get("payer_name"))[:200],
                      payer_account=_cell(row, columns.get("payer_account"))[:64],
                      remark=_cell(row, columns.get("remark"))[:500], serial=serial), None


def _dedupe_base(line: ParsedLine) -> str:
    """The bank serial, or a digest of the line's values (a line of an overlapping export has the same)."""
    if line.serial:
        return f"S:{line.serial}"
    digest = hashlib.sha256("|".join([line.booked_on.isoformat(), str(line.amount), line.currency,
                                      line.payer_account, line.payer_name, line.remark]).encode()).hexdigest()
    return f"H:{digest[:64]}"
