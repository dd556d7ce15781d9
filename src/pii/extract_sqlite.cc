// SQLite database files: every table, every column holding text (or integers, which often hold identifiers), read
// only; each table is scanned as a TSV whose header is the column names (context), locations "table.column row R"
// (R is the rowid; a row counter for WITHOUT ROWID tables).
#include <sqlite3.h>

#include <memory>

#include "extract_internal.h"

namespace tutela::pii::extract {
namespace {

constexpr std::string_view kFix =
    "the database is damaged or not SQLite; check it with `sqlite3 FILE 'PRAGMA integrity_check'`";

struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

std::string Quote(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Stmt Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  return Stmt(stmt);
}

Status ScanDb(Context& ctx, sqlite3* db, std::string_view location) {
  Stmt tables = Prepare(db,
                        "SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
                        "'sqlite_%' ORDER BY name");
  if (!tables)
    return Damaged(ctx, location, "not a readable SQLite database (" + std::string(sqlite3_errmsg(db)) + ")", kFix);
  std::vector<std::pair<std::string, std::string>> names;
  int rc;
  while ((rc = sqlite3_step(tables.get())) == SQLITE_ROW) {
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(tables.get(), 0)),
                       reinterpret_cast<const char*>(sqlite3_column_text(tables.get(), 1)));
  }
  if (rc != SQLITE_DONE) {
    return Damaged(ctx, location, "cannot list the tables (" + std::string(sqlite3_errmsg(db)) + ")", kFix);
  }
  for (const auto& [table, sql] : names) {
    if (sql.rfind("CREATE VIRTUAL", 0) == 0) {
      ctx.sink->OnSkipped(ctx.path + "!" + JoinLocation(location, table), "virtual table");
      continue;
    }
    std::vector<std::string> columns;
    Stmt info = Prepare(db, "PRAGMA table_info(" + Quote(table) + ")");
    while (info && sqlite3_step(info.get()) == SQLITE_ROW) {
      const unsigned char* column = sqlite3_column_text(info.get(), 1);
      columns.emplace_back(column != nullptr ? reinterpret_cast<const char*>(column) : "");
    }
    if (columns.empty()) continue;
    std::string list;
    for (const std::string& column : columns) list += ", " + Quote(column);
    bool rowid = true;
    Stmt rows = Prepare(db, "SELECT rowid" + list + " FROM " + Quote(table));
    if (!rows) {
      rowid = false;
      rows = Prepare(db, "SELECT " + list.substr(2) + " FROM " + Quote(table));
    }
    if (!rows) {
      return Damaged(ctx, JoinLocation(location, table),
                     "cannot read the table (" + std::string(sqlite3_errmsg(db)) + ")", kFix);
    }
    TableText text(ctx, std::string(location), table, columns, "row");
    std::vector<std::optional<std::string_view>> values(columns.size());
    const int first = rowid ? 1 : 0;
    uint64_t counter = 0;
    while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
      ++counter;
      std::string row = rowid ? std::to_string(sqlite3_column_int64(rows.get(), 0)) : std::to_string(counter);
      for (size_t i = 0; i < columns.size(); ++i) {
        int column = first + static_cast<int>(i);
        int type = sqlite3_column_type(rows.get(), column);
        if (type != SQLITE_TEXT && type != SQLITE_INTEGER) {
          values[i].reset();
          continue;
        }
        const unsigned char* value = sqlite3_column_text(rows.get(), column);
        int size = sqlite3_column_bytes(rows.get(), column);
        values[i] = std::string_view(reinterpret_cast<const char*>(value), static_cast<size_t>(size));
      }
      TUTELA_RETURN_IF_ERROR(text.Row(row, values));
    }
    TUTELA_RETURN_IF_ERROR(text.Flush());
    if (rc != SQLITE_DONE) {
      return Damaged(ctx, JoinLocation(location, table),
                     "reading the table failed (" + std::string(sqlite3_errmsg(db)) + ")", kFix);
    }
  }
  return Status::Ok();
}

}  // namespace

Status ScanSqliteFile(Context& ctx, const std::string& file) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, DbDeleter> db(raw);
  if (rc != SQLITE_OK) {
    return Damaged(ctx, "",
                   "cannot open the SQLite database (" + std::string(raw ? sqlite3_errmsg(raw) : "out of memory") + ")",
                   kFix);
  }
  return ScanDb(ctx, db.get(), "");
}

Status ScanSqliteMemory(Context& ctx, std::string_view data, std::string_view location) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, DbDeleter> db(raw);
  if (rc != SQLITE_OK) return Status::Internal("cannot open an in-memory SQLite database");
  // The bytes stay owned by the caller and outlive the connection; READONLY: SQLite never writes to them.
  auto* bytes = reinterpret_cast<unsigned char*>(const_cast<char*>(data.data()));
  rc = sqlite3_deserialize(db.get(), "main", bytes, static_cast<sqlite3_int64>(data.size()),
                           static_cast<sqlite3_int64>(data.size()), SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) {
    return Damaged(ctx, location, "not a readable SQLite database (" + std::string(sqlite3_errmsg(db.get())) + ")",
                   kFix);
  }
  return ScanDb(ctx, db.get(), location);
}

}  // namespace tutela::pii::extract
