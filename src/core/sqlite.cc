#include "tutela/core/sqlite.h"

namespace tutela::sqlite {

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
    status_ = Status::Internal("SQLite: cannot prepare SQL (" + std::string(sqlite3_errmsg(db)) + ").");
    stmt_ = nullptr;
  }
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

void Stmt::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = Status::Ok();
}

StmtCache::Handle StmtCache::Use(sqlite3* db, const std::string& sql) {
  auto found = stmts_.find(sql);
  if (found == stmts_.end()) found = stmts_.emplace(sql, std::make_unique<Stmt>(db, sql)).first;
  return Handle(*found->second);
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  if (stmt_ != nullptr) sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::Bind(int index, int64_t value) {
  if (stmt_ != nullptr) sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  if (stmt_ != nullptr) sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Stmt::Step() {
  if (stmt_ == nullptr) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    status_ = Status::IoError("SQLite: a statement failed (" + std::string(sqlite3_errmsg(db_)) + ").");
  }
  return false;
}

Status Stmt::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  return text == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(text),
                                       static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

int Stmt::Columns() const { return stmt_ == nullptr ? 0 : sqlite3_data_count(stmt_); }

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Status Exec(sqlite3* db, std::string_view sql) {
  char* error = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error == nullptr ? "unknown error" : error;
    sqlite3_free(error);
    return Status::IoError("SQLite refused \"" + text.substr(0, 40) + "\" (" + message + ").");
  }
  return Status::Ok();
}

}  // namespace tutela::sqlite
