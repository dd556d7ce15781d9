#include "tutela/server/database.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <charconv>
#include <mutex>
#include <thread>

#include "tutela/core/sqlite.h"
#include "tutela/core/time.h"

namespace tutela::server {
namespace {

std::string FirstWords(std::string_view sql) {
  std::string text(sql.substr(0, 60));
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return sql.size() > 60 ? text + "..." : text;
}

// Runs one statement on a connection with its statement cache (the caller holds that connection's lock); the
// statement's own error when it fails.
Result<SqlRows> RunSqlite(sqlite3* db, sqlite::StmtCache& cache, std::string_view sql,
                          const std::vector<SqlParam>& params) {
  auto statement = cache.Use(db, std::string(sql));
  if (!statement->ok()) return statement->status();
  int index = 1;
  for (const SqlParam& param : params) {
    if (std::holds_alternative<std::nullptr_t>(param)) {
      statement->BindNull(index);
    } else if (const int64_t* number = std::get_if<int64_t>(&param)) {
      statement->Bind(index, *number);
    } else {
      statement->Bind(index, std::get<std::string>(param));
    }
    ++index;
  }
  SqlRows rows;
  while (statement->Step()) {
    SqlRow row;
    int columns = statement->Columns();
    row.columns.reserve(columns);
    for (int column = 0; column < columns; ++column) {
      if (statement->IsNull(column)) {
        row.columns.emplace_back(std::nullopt);
      } else {
        row.columns.emplace_back(statement->Text(column));
      }
    }
    rows.push_back(std::move(row));
  }
  if (!statement->status().ok()) return statement->status();
  return rows;
}

bool IsSelect(std::string_view sql) {
  return sql.size() > 6 && (sql.substr(0, 6) == "SELECT" || sql.substr(0, 6) == "select");
}

// ---- SQLite in WAL mode: one writer connection, serialised by a recursive mutex (a Transaction holds it
// throughout), and a few read-only connections for SELECTs outside a transaction, which read the last commit
// without waiting for the writer. ----
class SqliteDatabase final : public Database {
 public:
  ~SqliteDatabase() override {
    for (auto& reader : readers_) {
      reader->statements.Clear();
      sqlite3_close(reader->db);
    }
    statements_.Clear();
    sqlite3_close(db_);
  }

  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& path) {
    auto database = std::unique_ptr<SqliteDatabase>(new SqliteDatabase());
    database->path_ = path;
    if (sqlite3_open_v2(path.c_str(), &database->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string why = database->db_ ? sqlite3_errmsg(database->db_) : "out of memory";
      return Status::IoError(path.string() + ": cannot open the server database (" + why +
                             "); check the --data folder and its permissions.");
    }
    sqlite3_busy_timeout(database->db_, 10000);
    // WAL: readers never block the writer; NORMAL sync is durable across a crash of the process (the security
    // audit trail lives in the ledger, which syncs on its own).
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
      if (Status done = sqlite::Exec(database->db_, pragma); !done.ok()) return done.WithContext(path.string());
    }
    for (int i = 0; i < kReaders; ++i) {
      auto reader = std::make_unique<Reader>();
      if (sqlite3_open_v2(path.c_str(), &reader->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
          SQLITE_OK) {
        sqlite3_close(reader->db);
        break;  // the writer alone still works
      }
      sqlite3_busy_timeout(reader->db, 10000);
      database->readers_.push_back(std::move(reader));
    }
    return std::unique_ptr<Database>(std::move(database));
  }

  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params) override {
    if (transaction_owner_ != this && IsSelect(sql) && !readers_.empty()) {
      // A free reader if there is one, else wait for the next in turn.
      Reader* reader = nullptr;
      std::unique_lock<std::mutex> lock;
      for (auto& candidate : readers_) {
        std::unique_lock<std::mutex> attempt(candidate->mutex, std::try_to_lock);
        if (attempt.owns_lock()) {
          reader = candidate.get();
          lock = std::move(attempt);
          break;
        }
      }
      if (reader == nullptr) {
        reader = readers_[next_reader_++ % readers_.size()].get();
        lock = std::unique_lock<std::mutex>(reader->mutex);
      }
      auto rows = RunSqlite(reader->db, reader->statements, sql, params);
      if (!rows.ok()) return Fail(sql, rows.status());
      return rows;
    }
    std::lock_guard lock(mutex_);
    auto rows = RunSqlite(db_, statements_, sql, params);
    if (!rows.ok()) return Fail(sql, rows.status());
    return rows;
  }

  Status Transaction(const std::function<Status()>& work) override {
    std::lock_guard lock(mutex_);
    if (depth_ > 0) return work();  // joins the enclosing transaction
    if (Status begun = sqlite::Exec(db_, "BEGIN IMMEDIATE"); !begun.ok()) return begun.WithContext(path_.string());
    ++depth_;
    transaction_owner_ = this;  // this thread's reads inside the transaction see its writes: the writer connection
    Status status = work();
    transaction_owner_ = nullptr;
    --depth_;
    if (status.ok()) {
      if (Status committed = sqlite::Exec(db_, "COMMIT"); !committed.ok()) {
        (void)sqlite::Exec(db_, "ROLLBACK");
        return committed.WithContext(path_.string());
      }
      return status;
    }
    (void)sqlite::Exec(db_, "ROLLBACK");
    return status;
  }

  std::string_view engine() const override { return "sqlite"; }
  std::string description() const override { return path_.string(); }

 private:
  SqliteDatabase() = default;

  // The statement's error names SQLite's reason; this adds the database file and the statement.
  Status Fail(std::string_view sql, const Status& status) const {
    const std::string& why = status.message();
    return Status::IoError(path_.string() + ": the database refused \"" + FirstWords(sql) + "\" (" + why + ").");
  }

  static constexpr int kReaders = 4;
  struct Reader {
    sqlite3* db = nullptr;
    sqlite::StmtCache statements;
    std::mutex mutex;
  };
  std::vector<std::unique_ptr<Reader>> readers_;
  std::atomic<size_t> next_reader_{0};
  static thread_local const SqliteDatabase* transaction_owner_;

  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  std::recursive_mutex mutex_;
  int depth_ = 0;
  sqlite::StmtCache statements_;
};

thread_local const SqliteDatabase* SqliteDatabase::transaction_owner_ = nullptr;

// ---- PostgreSQL through libpq: a small pool of connections; a Transaction pins one to the calling thread. ----
struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// "?" placeholders to "$1", "$2", ... outside quoted strings and identifiers.
std::string ToPgPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(next++);
    } else {
      out += c;
    }
  }
  return out;
}

// The URL without its password, for messages.
std::string RedactUrl(std::string_view url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos) return std::string(url);
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

class PostgresDatabase final : public Database {
 public:
  static Result<std::unique_ptr<Database>> Open(std::string_view url) {
    auto database = std::unique_ptr<PostgresDatabase>(new PostgresDatabase());
    database->url_ = url;
    auto conn = database->Connect();
    if (!conn.ok()) return conn.status();
    database->idle_.push_back(std::move(*conn));
    return std::unique_ptr<Database>(std::move(database));
  }

  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params) override {
    if (pinned_owner_ == this && pinned_ != nullptr) return Run(pinned_, sql, params);
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    Result<SqlRows> rows = Run(conn->get(), sql, params);
    Release(std::move(*conn));
    return rows;
  }

  Status Transaction(const std::function<Status()>& work) override {
    if (pinned_owner_ == this && pinned_ != nullptr) return work();
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    PGconn* raw = conn->get();
    if (auto begun = Run(raw, "BEGIN", {}); !begun.ok()) {
      Release(std::move(*conn));
      return begun.status();
    }
    pinned_ = raw;
    pinned_owner_ = this;
    Status status = work();
    pinned_ = nullptr;
    pinned_owner_ = nullptr;
    auto ended = Run(raw, status.ok() ? "COMMIT" : "ROLLBACK", {});
    Release(std::move(*conn));
    if (status.ok() && !ended.ok()) return ended.status();
    return status;
  }

  std::string_view engine() const override { return "postgresql"; }
  std::string description() const override { return RedactUrl(url_); }

 private:
  PostgresDatabase() = default;

  Result<PgConn> Connect() {
    PgConn conn(PQconnectdb(url_.c_str()));
    if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
      std::string why = conn ? PQerrorMessage(conn.get()) : "out of memory";
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      return Status::IoError(RedactUrl(url_) + ": cannot connect to PostgreSQL (" + why +
                             "); check --database and that the server is running.");
    }
    PgResult quiet(PQexec(conn.get(), "SET client_min_messages TO warning"));
    return conn;
  }

  Result<PgConn> Acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        PgConn conn = std::move(idle_.back());
        idle_.pop_back();
        if (PQstatus(conn.get()) == CONNECTION_OK) return conn;
      }
    }
    return Connect();
  }

  void Release(PgConn conn) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < 16 && PQstatus(conn.get()) == CONNECTION_OK) idle_.push_back(std::move(conn));
  }

  Result<SqlRows> Run(PGconn* conn, std::string_view sql, const std::vector<SqlParam>& params) {
    std::string text = ToPgPlaceholders(sql);
    std::vector<std::string> values(params.size());
    std::vector<const char*> pointers(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (const int64_t* number = std::get_if<int64_t>(&params[i])) {
        values[i] = std::to_string(*number);
        pointers[i] = values[i].c_str();
      } else if (const std::string* string = std::get_if<std::string>(&params[i])) {
        values[i] = *string;
        pointers[i] = values[i].c_str();
      }
    }
    PgResult result(PQexecParams(conn, text.c_str(), static_cast<int>(params.size()), nullptr, pointers.data(), nullptr,
                                 nullptr, 0));
    ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string why = PQerrorMessage(conn);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      return Status::IoError(RedactUrl(url_) + ": the database refused \"" + FirstWords(sql) + "\" (" + why + ").");
    }
    SqlRows rows;
    int count = PQntuples(result.get());
    int columns = PQnfields(result.get());
    rows.reserve(count);
    for (int r = 0; r < count; ++r) {
      SqlRow row;
      row.columns.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result.get(), r, c)) {
          row.columns.emplace_back(std::nullopt);
        } else {
          row.columns.emplace_back(
              std::string(PQgetvalue(result.get(), r, c), static_cast<size_t>(PQgetlength(result.get(), r, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  std::string url_;
  std::mutex mutex_;
  std::vector<PgConn> idle_;
  static thread_local PGconn* pinned_;
  static thread_local const PostgresDatabase* pinned_owner_;
};

thread_local PGconn* PostgresDatabase::pinned_ = nullptr;
thread_local const PostgresDatabase* PostgresDatabase::pinned_owner_ = nullptr;

// ---- Schema migrations: append only; a released migration is never edited. ----
struct Migration {
  int version;
  const char* what;
  std::vector<const char*> statements;
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1,
       "tenants, users, sessions, API tokens, tenant records",
       {
           "CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, operator BIGINT NOT NULL, "
           "created TEXT NOT NULL)",
           "CREATE TABLE users (tenant_id TEXT NOT NULL REFERENCES tenants(id), id TEXT NOT NULL, name TEXT NOT NULL, "
           "role TEXT NOT NULL, password_hash TEXT NOT NULL, must_change_password BIGINT NOT NULL, "
           "disabled BIGINT NOT NULL, totp_secret TEXT, failed_logins BIGINT NOT NULL, locked_until TEXT, "
           "created TEXT NOT NULL, PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, name))",
           "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), "
           "user_id TEXT NOT NULL, csrf TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL, "
           "last_seen TEXT NOT NULL)",
           "CREATE TABLE api_tokens (id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL UNIQUE, "
           "tenant_id TEXT NOT NULL REFERENCES tenants(id), user_id TEXT NOT NULL, name TEXT NOT NULL, "
           "role TEXT NOT NULL, created TEXT NOT NULL, expires TEXT, revoked TEXT, last_used TEXT)",
           "CREATE TABLE records (tenant_id TEXT NOT NULL REFERENCES tenants(id), kind TEXT NOT NULL, "
           "id TEXT NOT NULL, state TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, "
           "body TEXT NOT NULL, PRIMARY KEY (tenant_id, kind, id))",
           "CREATE INDEX records_by_kind ON records (tenant_id, kind, created)",
       }},
  };
  return migrations;
}

}  // namespace

const std::string& SqlRow::Text(size_t column) const {
  static const std::string empty;
  const auto& value = columns.at(column);
  return value ? *value : empty;
}

int64_t SqlRow::Int(size_t column) const {
  const std::string& text = Text(column);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, const std::filesystem::path& data_folder) {
  if (url.empty() || url == "sqlite:") return SqliteDatabase::Open(data_folder / "tutela.db");
  if (url.starts_with("sqlite:")) return SqliteDatabase::Open(std::filesystem::path(url.substr(7)));
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return PostgresDatabase::Open(url);
  return Status::InvalidArgument("--database " + RedactUrl(url) +
                                 ": expected sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE.");
}

int SchemaVersion() { return Migrations().back().version; }

Result<int> Migrate(Database& database) {
  TUTELA_ASSIGN_OR_RETURN(auto created,
                          database.Query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                                         "what TEXT NOT NULL, applied TEXT NOT NULL)"));
  (void)created;
  int version = 0;
  Status status = database.Transaction([&]() -> Status {
    if (database.engine() == "postgresql") {
      // Several instances may start at once: one migrates, the others wait here and then find nothing to do.
      TUTELA_ASSIGN_OR_RETURN(auto locked, database.Query("SELECT pg_advisory_xact_lock(7702731)"));
      (void)locked;
    }
    TUTELA_ASSIGN_OR_RETURN(auto rows, database.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    version = rows.empty() ? 0 : static_cast<int>(rows[0].Int(0));
    if (version > SchemaVersion()) {
      return Status::Corruption(database.description() + ": the database is at schema version " +
                                std::to_string(version) + " but this Tutela knows only up to " +
                                std::to_string(SchemaVersion()) + "; run a newer Tutela.");
    }
    for (const Migration& migration : Migrations()) {
      if (migration.version <= version) continue;
      for (const char* statement : migration.statements) {
        TUTELA_ASSIGN_OR_RETURN(auto done, database.Query(statement));
        (void)done;
      }
      TUTELA_ASSIGN_OR_RETURN(
          auto recorded,
          database.Query("INSERT INTO schema_migrations (version, what, applied) VALUES (?, ?, ?)",
                         {int64_t{migration.version}, std::string(migration.what), FormatRfc3339(NowUtc())}));
      (void)recorded;
      version = migration.version;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

}  // namespace tutela::server
