// The server's database behind one small interface: SQLite embedded in the data folder by default, PostgreSQL for
// several server instances behind a load balancer. SQL is written once, in the dialect both accept (TEXT and BIGINT
// columns, ids made by Tutela, `?` placeholders, ON CONFLICT), and the schema is versioned: Migrate() applies, in
// order and each in its own transaction, the migrations a database has not seen yet.
//
// Ownership: a Database owns its connection(s). Thread-safety: every method may be called from many threads; a
// Transaction() holds the database for the calling thread until `work` returns, and queries made by `work` on that
// thread join it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::server {

using SqlParam = std::variant<std::nullptr_t, int64_t, std::string>;

// One result row; every column comes back as text (or null), as both engines can give it.
struct SqlRow {
  std::vector<std::optional<std::string>> columns;

  const std::string& Text(size_t column) const;  // "" for null
  int64_t Int(size_t column) const;              // 0 for null or non-numeric text
  bool IsNull(size_t column) const { return !columns.at(column).has_value(); }
};
using SqlRows = std::vector<SqlRow>;

class Database {
 public:
  virtual ~Database() = default;
  // Runs one statement with `?` placeholders bound in order; the rows of a SELECT (or RETURNING clause).
  // IoError naming the database and the statement's first words when the engine refuses it.
  virtual Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params = {}) = 0;
  // Runs `work` in one transaction: committed when it returns OK, rolled back otherwise (and its error returned).
  virtual Status Transaction(const std::function<Status()>& work) = 0;
  // "sqlite" or "postgresql".
  virtual std::string_view engine() const = 0;
  // Where the data is, for messages: the file, or the PostgreSQL URL without its password.
  virtual std::string description() const = 0;
};

// `url`: "" or "sqlite:" for DATA/tutela.db, "sqlite:PATH", or "postgresql://..." / "postgres://...".
// InvalidArgument naming the URL for anything else; IoError naming the place when it cannot be opened.
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, const std::filesystem::path& data_folder);

// Brings the schema up to date; returns the version it is at. Corruption when the database records a version newer
// than this build knows (a downgrade), so that an old binary never writes to a newer schema.
Result<int> Migrate(Database& database);
// The newest schema version this build knows.
int SchemaVersion();

}  // namespace tutela::server
