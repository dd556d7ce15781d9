#include "tutela/server/jobs.h"

#include <chrono>

#include "tutela/core/time.h"

namespace tutela::server {

Jobs::Jobs(Store& store, size_t threads) : store_(store), threads_(threads == 0 ? 1 : threads) {}

Jobs::~Jobs() { Stop(); }

void Jobs::Register(std::string kind, JobWork work) { work_[std::move(kind)] = std::move(work); }

void Jobs::Start() {
  std::lock_guard lock(mutex_);
  stopping_ = false;
  while (workers_.size() < threads_) workers_.emplace_back([this] { Worker(); });
}

void Jobs::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

Result<Record> Jobs::Submit(TenantData& data, std::string_view kind, nlohmann::json input,
                            const std::function<Status(const std::string& job_id)>& prepare) {
  if (work_.find(kind) == work_.end()) return Status::Internal("no job runner for \"" + std::string(kind) + "\"");
  Record record;
  record.kind = "job";
  record.id = NewId("jb_");
  record.state = "queued";
  record.body = {{"kind", kind}, {"progress", 0}, {"message", "queued"}, {"result", nullptr}};
  TUTELA_RETURN_IF_ERROR(data.Put(record));
  if (prepare) {
    if (Status prepared = prepare(record.id); !prepared.ok()) {
      (void)data.Delete("job", record.id);
      return prepared;
    }
  }
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{data.tenant_id(), record.id, std::string(kind), std::move(input)});
  }
  wake_.notify_one();
  return record;
}

Status Jobs::FailUnfinished() {
  TUTELA_ASSIGN_OR_RETURN(auto tenants, store_.ListTenants());
  for (const Tenant& tenant : tenants) {
    TenantData data = store_.ForTenant(tenant.id);
    for (const char* state : {"queued", "running"}) {
      RecordQuery query;
      query.state = state;
      query.limit = 100000;
      TUTELA_ASSIGN_OR_RETURN(auto records, data.List("job", query));
      for (Record& record : records) {
        record.state = "failed";
        record.body["message"] = "the server stopped before the job finished; start it again";
        TUTELA_RETURN_IF_ERROR(data.Put(record));
      }
    }
  }
  return Status::Ok();
}

void Jobs::Drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

void Jobs::Worker() {
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    RunOne(item);
    {
      std::lock_guard lock(mutex_);
      --running_;
    }
    idle_.notify_all();
  }
}

void Jobs::RunOne(const Item& item) {
  TenantData data = store_.ForTenant(item.tenant);
  auto loaded = data.Get("job", item.id);
  if (!loaded.ok() || !loaded->has_value()) return;
  Record record = std::move(**loaded);
  record.state = "running";
  record.body["message"] = "running";
  record.body["started"] = FormatRfc3339(NowUtc());
  (void)data.Put(record);

  auto last_update = std::chrono::steady_clock::now();
  Progress progress = [&](int percent, std::string_view message) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_update < std::chrono::seconds(1)) return;
    last_update = now;
    record.body["progress"] = percent;
    record.body["message"] = message;
    (void)data.Put(record);
  };
  Result<nlohmann::json> result = Status::Internal("no runner");
  auto found = work_.find(item.kind);
  if (found != work_.end()) result = found->second(data, item.input, progress);
  record.body["finished"] = FormatRfc3339(NowUtc());
  if (result.ok()) {
    record.state = "done";
    record.body["progress"] = 100;
    record.body["message"] = "done";
    record.body["result"] = std::move(*result);
  } else {
    record.state = "failed";
    record.body["message"] = result.status().message();
  }
  (void)data.Put(record);
}

}  // namespace tutela::server
