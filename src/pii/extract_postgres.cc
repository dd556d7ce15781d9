// PostgreSQL through libpq: one read-only transaction; every column of a text-like type (text, varchar, char, json,
// jsonb, citext) in every table the user can read outside the system schemas; ExtractOptions::sample_rows rows per
// table (all of them with `full`), read through a cursor in batches. Each table is scanned as a TSV whose header is
// its column names; locations are "table.column ctid (page,item)" ("schema.table.column ..." outside "public").
// A table that cannot be read (permission) is one error; the others are still scanned.
#include <libpq-fe.h>

#include <memory>

#include "extract_internal.h"

namespace tutela::pii {
namespace {

struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string Message(PGconn* conn) {
  std::string text = PQerrorMessage(conn);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

std::string Identifier(PGconn* conn, const std::string& name) {
  char* quoted = PQescapeIdentifier(conn, name.c_str(), name.size());
  if (quoted == nullptr) return "\"\"";
  std::string out = quoted;
  PQfreemem(quoted);
  return out;
}

}  // namespace

Status ScanPostgres(Scanner& scanner, std::string_view uri, const ExtractOptions& options, Sink& sink) {
  extract::Context ctx(scanner, options, sink, RedactUri(uri), 0);
  // Defaults the URI may override (later entries win): a 10 s connect timeout instead of none, and a name that
  // shows in pg_stat_activity.
  const std::string uri_text(uri);
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "tutela pii scan", uri_text.c_str(), nullptr};
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdbParams(keywords, values, 1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::IoError(ctx.path + ": cannot connect to PostgreSQL (" + (conn ? Message(conn.get()) : "no memory") +
                           "); check the host, port, database, user and password in the URI");
  }
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);  // no server notices on our stderr
  auto exec = [&](const std::string& sql) { return PgResult(PQexec(conn.get(), sql.c_str())); };
  auto ok = [](const PgResult& result) {
    auto status = PQresultStatus(result.get());
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  };
  if (!ok(exec("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))) {
    return Status::IoError(ctx.path + ": cannot start a read-only transaction (" + Message(conn.get()) + ")");
  }
  PgResult columns = exec(
      "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c "
      "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema') "
      "AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR c.udt_name = 'citext') "
      "ORDER BY c.table_schema, c.table_name, c.ordinal_position");
  if (!ok(columns)) {
    return Status::IoError(ctx.path + ": cannot list the columns (" + Message(conn.get()) + ")");
  }
  struct Table {
    std::string schema, name;
    std::vector<std::string> columns;
  };
  std::vector<Table> tables;
  for (int i = 0; i < PQntuples(columns.get()); ++i) {
    std::string schema = PQgetvalue(columns.get(), i, 0), name = PQgetvalue(columns.get(), i, 1);
    if (tables.empty() || tables.back().schema != schema || tables.back().name != name) {
      tables.push_back({schema, name, {}});
    }
    tables.back().columns.emplace_back(PQgetvalue(columns.get(), i, 2));
  }
  Status first_error;
  const uint64_t limit = options.full ? 0 : options.sample_rows;
  for (const Table& table : tables) {
    std::string label = table.schema == "public" ? table.name : table.schema + "." + table.name;
    std::string select = "SELECT ctid::text";
    for (const std::string& column : table.columns) select += ", " + Identifier(conn.get(), column) + "::text";
    select += " FROM " + Identifier(conn.get(), table.schema) + "." + Identifier(conn.get(), table.name);
    if (limit > 0) select += " LIMIT " + std::to_string(limit);
    exec("SAVEPOINT tutela_table");
    auto fail = [&](std::string_view what) {
      Status error = Status::IoError(ctx.path + ": table " + label + ": " + std::string(what) + " (" +
                                     Message(conn.get()) + "); grant SELECT on it to the scanning user, or exclude it");
      exec("ROLLBACK TO SAVEPOINT tutela_table");
      sink.OnError(error);
    };
    if (!ok(exec("DECLARE tutela_rows NO SCROLL CURSOR FOR " + select))) {
      fail("cannot read the table");
      continue;
    }
    extract::TableText text(ctx, "", label, table.columns, "ctid");
    std::vector<std::optional<std::string_view>> values(table.columns.size());
    bool failed = false;
    while (true) {
      PgResult batch = exec("FETCH 1000 FROM tutela_rows");
      if (!ok(batch)) {
        fail("reading the table failed");
        failed = true;
        break;
      }
      int rows = PQntuples(batch.get());
      if (rows == 0) break;
      for (int r = 0; r < rows; ++r) {
        for (size_t c = 0; c < table.columns.size(); ++c) {
          int field = static_cast<int>(c) + 1;
          if (PQgetisnull(batch.get(), r, field)) {
            values[c].reset();
          } else {
            values[c] = std::string_view(PQgetvalue(batch.get(), r, field),
                                         static_cast<size_t>(PQgetlength(batch.get(), r, field)));
          }
        }
        Status row = text.Row(PQgetvalue(batch.get(), r, 0), values);
        if (!row.ok()) return row;
      }
    }
    if (failed) continue;
    TUTELA_RETURN_IF_ERROR(text.Flush());
    exec("CLOSE tutela_rows");
    exec("RELEASE SAVEPOINT tutela_table");
  }
  exec("COMMIT");
  sink.OnFileDone(ctx.path, ctx.scanned);
  return first_error;
}

}  // namespace tutela::pii
