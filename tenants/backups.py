"""The per-tenant backup archive: what it holds, how it is written and read back (no decisions: those are in
tenants.services_backup).

One zip file:
  manifest.json       format, version, the tenant-migration fingerprint, the schema, and per table its columns,
                      row count, a content checksum (md5 of its rows, sorted) and the sha256 of its data member;
                      per file its size and sha256; the public rows' sha256 and counts
  manifest.sig        HMAC-SHA256 of manifest.json (settings.BACKUP_SIGNING_KEY)
  tables/<table>.copy each table of the schema in PostgreSQL's COPY text format (`django_migrations` is not
                      data: the fingerprint stands for it)
  public.json         the tenant's public rows (tenant, domains, subscription and its history, usage, status history)
  files/<path>        the tenant's uploaded files (its media folder), byte for byte
  branding/<name>     its logo (public storage, under branding/<schema>/)

COPY rather than pg_dump: a restore goes into a schema cloned from the template of the same migrations (the
project's fast provisioning) and under another name, which a dump's hard-coded schema names cannot; and it needs no
client binary of the server's version. Every identifier in SQL comes from the database's catalogue, never from
the archive: the archive's table and column names are only matched against it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection
from psycopg2 import sql

FORMAT = "dms-tenant-backup"
FORMAT_VERSION = 1
NOT_DATA = frozenset({"django_migrations"})
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC = "public.json"
CHUNK = 1024 * 1024
PLAIN_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


class ArchiveRefused(Exception):
    """The archive is not one of ours, was changed after it was written, or does not fit this database."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]


def schema_tables(schema_name: str) -> dict[str, Table]:
    """The schema's ordinary tables with their stored (not generated) columns, in column order."""
    with connection.cursor() as cursor:
        cursor.execute(
            # the catalogue itself, not information_schema (its views check privileges row by row over every
            # schema's relations: slow at fleet size)
            """SELECT c.relname::text, array_agg(a.attname::text ORDER BY a.attnum)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                   AND a.attgenerated = ''
               WHERE n.nspname = %s AND c.relkind IN ('r', 'p')
               GROUP BY c.relname ORDER BY c.relname""",
            [schema_name],
        )
        return {name: Table(name, tuple(columns)) for name, columns in cursor.fetchall() if name not in NOT_DATA}


def _qualified(schema_name: str, table: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(schema_name), sql.Identifier(table))


def _columns(table: Table) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(column) for column in table.columns)


def table_checksum(schema_name: str, table: Table) -> tuple[int, str]:
    """Row count and md5 of the table's rows as text, sorted (byte order): equal for equal contents whatever the
    physical order, the database or the schema's name."""
    query = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r COLLATE \"C\"), '')) "
        "FROM (SELECT ROW({columns})::text AS r FROM {table}) rows"
    ).format(columns=_columns(table), table=_qualified(schema_name, table.name))
    with connection.cursor() as cursor:
        cursor.execute(query)
        count, digest = cursor.fetchone()
    return count, digest


def schema_checksums(schema_name: str) -> dict[str, dict]:
    return {name: dict(zip(("rows", "md5"), table_checksum(schema_name, table), strict=True))
            for name, table in schema_tables(schema_name).items()}


def schema_sequences(schema_name: str) -> dict[str, int | None]:
    """Each sequence's last value (None: never used)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s", [schema_name])
        return dict(cursor.fetchall())


class _Hashing(io.RawIOBase):
    """A write-only file that passes bytes on and keeps their sha256 and size."""

    def __init__(self, out):
        self.out, self.sha, self.size = out, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.sha.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)


def storage_walk(storage, top: str = "") -> Iterator[str]:
    """Every file's name under `top` in a Django storage (file system or S3), sorted."""
    directories, files = storage.listdir(top)
    for name in sorted(files):
        yield posixpath.join(top, name) if top else name
    for directory in sorted(directories):
        yield from storage_walk(storage, posixpath.join(top, directory) if top else directory)


def sign(manifest_bytes: bytes) -> str:
    return hmac.new(settings.BACKUP_SIGNING_KEY.encode(), manifest_bytes, hashlib.sha256).hexdigest()


def archive_write(out, *, schema_name: str, version: str, tenant_info: dict, public_json: bytes,
                  public_counts: dict, media, logo: tuple[str, object] | None) -> dict:
    """Write the archive of `schema_name` to the binary file `out`; return its manifest.

    Run inside a REPEATABLE READ transaction (the caller's), so that every table is read at one instant."""
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "version": version, "schema": schema_name,
                "tenant": tenant_info, "tables": {}, "sequences": schema_sequences(schema_name), "files": {},
                "branding": {}, "public": {"sha256": hashlib.sha256(public_json).hexdigest(), "size": len(public_json),
                           "rows": public_counts}}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, table in schema_tables(schema_name).items():
            with archive.open(f"tables/{name}.copy", "w", force_zip64=True) as member:
                hashing = _Hashing(member)
                copy = sql.SQL("COPY {table} ({columns}) TO STDOUT").format(
                    table=_qualified(schema_name, name), columns=_columns(table))
                with connection.cursor() as cursor:
                    cursor.cursor.copy_expert(copy.as_string(cursor.cursor.connection), hashing, size=CHUNK)
            rows, digest = table_checksum(schema_name, table)
            manifest["tables"][name] = {"columns": list(table.columns), "rows": rows, "md5": digest,
                                        "sha256": hashing.sha.hexdigest(), "size": hashing.size}
        archive.writestr(PUBLIC, public_json)
        for path in storage_walk(media):
            manifest["files"][path] = _copy_in(archive, f"files/{path}", media, path)
        if logo is not None:
            name, storage = logo
            manifest["branding"][posixpath.basename(name)] = _copy_in(
                archive, f"branding/{posixpath.basename(name)}", storage, name)
        manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1).encode()
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, sign(manifest_bytes))
    return manifest


def _copy_in(archive: zipfile.ZipFile, member_name: str, storage, path: str) -> dict:
    with storage.open(path, "rb") as source, archive.open(member_name, "w", force_zip64=True) as member:
        hashing = _Hashing(member)
        while chunk := source.read(CHUNK):
            hashing.write(chunk)
    return {"size": hashing.size, "sha256": hashing.sha.hexdigest()}


# --- reading back ---------------------------------------------------------------------------------------------

def _safe_path(path: str) -> bool:
    """A relative path inside its folder: no absolute path, no `..`, no backslash, no empty part."""
    parts = path.split("/")
    return bool(path) and "\\" not in path and "\x00" not in path and not path.startswith("/") and all(
        part not in ("", ".", "..") for part in parts)


def _digest_entry(entry) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("size", 0), int))


def _shape_check(manifest: dict) -> None:
    """The manifest is input: every part the restore reads has the type it expects."""
    tables, files, branding = manifest.get("tables"), manifest.get("files"), manifest.get("branding")
    sequences, public = manifest.get("sequences"), manifest.get("public")
    good = (isinstance(tables, dict) and isinstance(files, dict) and isinstance(branding, dict)
            and isinstance(sequences, dict) and _digest_entry(public) and isinstance(manifest.get("schema"), str)
            and isinstance(manifest.get("tenant"), dict)
            and all(_digest_entry(entry) and isinstance(entry.get("rows"), int) and isinstance(entry.get("md5"), str)
                    and isinstance(entry.get("columns"), list)
                    and all(isinstance(column, str) for column in entry["columns"]) for entry in tables.values())
            and all(_digest_entry(entry) for entry in [*files.values(), *branding.values()])
            and all(isinstance(name, str) and (value is None or isinstance(value, int))
                    for name, value in sequences.items()))
    if not good:
        raise ArchiveRefused("the manifest is not of the expected shape")


def archive_open(file) -> tuple[zipfile.ZipFile, dict]:
    """Open an archive and check it whole before anything is restored: our format, a manifest signed with our key,
    every member listed in it and no other, each member's size and sha256 as the manifest says, safe file names.
    Raises ArchiveRefused with the reason."""
    try:
        archive = zipfile.ZipFile(file)
        manifest_bytes = archive.read(MANIFEST)
        signature = archive.read(SIGNATURE).decode("ascii", "replace")
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise ArchiveRefused(f"not a tenant backup archive ({error})") from None
    if not hmac.compare_digest(signature, sign(manifest_bytes)):
        raise ArchiveRefused("the manifest's signature does not match: the archive was changed, or signed with "
                             "another BACKUP_SIGNING_KEY")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise ArchiveRefused("the manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveRefused("not a tenant backup archive")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveRefused(f"archive format {manifest.get('format_version')!r}; this code reads {FORMAT_VERSION}")
    _shape_check(manifest)
    expected = {MANIFEST: None, SIGNATURE: None, PUBLIC: manifest["public"]}
    expected |= {f"tables/{name}.copy": entry for name, entry in manifest["tables"].items()}
    expected |= {f"files/{path}": entry for path, entry in manifest["files"].items()}
    expected |= {f"branding/{name}": entry for name, entry in manifest["branding"].items()}
    for name in manifest["files"]:
        if not _safe_path(name):
            raise ArchiveRefused(f"unsafe file name in the archive: {name!r}")
    for name in [*manifest["branding"], *manifest["tables"]]:
        if not PLAIN_NAME.match(name):
            raise ArchiveRefused(f"unsafe name in the archive: {name!r}")
    present = set(archive.namelist())
    if present != set(expected):
        extra, missing = sorted(present - set(expected)), sorted(set(expected) - present)
        raise ArchiveRefused(f"members differ from the manifest (not listed: {extra[:5]}, missing: {missing[:5]})")
    for name, entry in expected.items():
        if entry is None:
            continue
        if "size" in entry and archive.getinfo(name).file_size != entry["size"]:  # before inflating anything
            raise ArchiveRefused(f"{name}: its size does not match the manifest")
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(name) as member:
                while chunk := member.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, OSError) as error:
            raise ArchiveRefused(f"{name}: unreadable ({error})") from None
        if digest.hexdigest() != entry["sha256"] or ("size" in entry and size != entry["size"]):
            raise ArchiveRefused(f"{name}: its contents do not match the manifest")
    return archive, manifest


def tables_load(archive: zipfile.ZipFile, manifest: dict, *, schema_name: str) -> None:
    """Replace every table's rows in `schema_name` by the archive's, then set its sequences; check each table's
    count and checksum afterwards. Run inside the caller's transaction: any refusal rolls it all back.

    The schema must have the archive's tables and columns (same migrations): otherwise ArchiveRefused. Foreign keys
    (Django's are DEFERRABLE) are checked at commit; user triggers are off while loading (the catalogue's search
    terms come with the archive, not from the trigger)."""
    target = schema_tables(schema_name)
    archived = manifest["tables"]
    if set(archived) != set(target):
        raise ArchiveRefused(f"tables differ: only in the archive {sorted(set(archived) - set(target))[:5]}, only "
                             f"in the schema {sorted(set(target) - set(archived))[:5]}")
    for name, table in target.items():
        if set(archived[name]["columns"]) != set(table.columns):
            raise ArchiveRefused(f"{name}: columns differ from this schema's")
    with connection.cursor() as cursor:
        # checks still pending in the caller's transaction run now (ALTER TABLE and TRUNCATE refuse a table with
        # pending trigger events); the load's own are deferred to its end
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT g.tgisinternal",
            [schema_name])
        triggered = sorted(row[0] for row in cursor.fetchall())
        for name in triggered:
            cursor.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(_qualified(schema_name, name)))
        cursor.execute(sql.SQL("TRUNCATE {} CASCADE").format(
            sql.SQL(", ").join(_qualified(schema_name, name) for name in sorted(target))))
        for name in sorted(target):
            # the archive's column order, each name checked above against the schema's own
            table = Table(name, tuple(column for column in archived[name]["columns"] if column in target[name].columns))
            copy = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
                table=_qualified(schema_name, name), columns=_columns(table))
            with archive.open(f"tables/{name}.copy") as member:
                cursor.cursor.copy_expert(copy.as_string(cursor.cursor.connection), member, size=CHUNK)
        try:  # every foreign key now, not at the caller's commit: a restore that breaks one is refused here
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        except IntegrityError as error:
            raise ArchiveRefused(f"the archive's rows break a foreign key ({error})") from None
        for name in triggered:
            cursor.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(_qualified(schema_name, name)))
        present = schema_sequences(schema_name)
        for sequence, value in manifest["sequences"].items():
            if sequence not in present:
                raise ArchiveRefused(f"sequence {sequence} is not in this schema")
            qualified = f"{sql.Identifier(schema_name).as_string(cursor.cursor)}." \
                        f"{sql.Identifier(sequence).as_string(cursor.cursor)}"
            if value is None:
                cursor.execute(sql.SQL("ALTER SEQUENCE {} RESTART").format(_qualified(schema_name, sequence)))
            else:
                cursor.execute("SELECT setval(%s::regclass, %s, true)", [qualified, int(value)])
    for name in target:
        rows, digest = table_checksum(schema_name, Table(name, tuple(archived[name]["columns"])))
        if rows != archived[name]["rows"] or digest != archived[name]["md5"]:
            raise ArchiveRefused(f"{name}: restored rows differ from the backup's ({rows} rows)")
