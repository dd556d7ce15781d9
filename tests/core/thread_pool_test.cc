#include "tutela/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

namespace tutela {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskAndReturnsResults) {
  ThreadPool pool(4);
  std::vector<std::future<int>> results;
  for (int task_idx = 0; task_idx < 1000; ++task_idx)
    results.push_back(pool.Submit([task_idx] { return task_idx * 2; }));
  long sum = 0;
  for (auto& result : results) sum += result.get();
  EXPECT_EQ(sum, 999L * 1000L);
}

TEST(ThreadPoolTest, WaitBlocksUntilIdle) {
  ThreadPool pool(2);
  std::atomic<int> done{0};
  for (int task_idx = 0; task_idx < 100; ++task_idx) pool.Submit([&done] { done.fetch_add(1); });
  pool.Wait();
  EXPECT_EQ(done.load(), 100);
}

TEST(ThreadPoolTest, ExceptionsReachTheFuture) {
  ThreadPool pool(1);
  auto failing = pool.Submit([]() -> int { throw std::runtime_error("boom"); });
  EXPECT_THROW(failing.get(), std::runtime_error);
  EXPECT_EQ(pool.Submit([] { return 5; }).get(), 5);  // the worker survived
}

TEST(ThreadPoolTest, DestructorFinishesQueuedWork) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(1);
    for (int task_idx = 0; task_idx < 50; ++task_idx) pool.Submit([&done] { done.fetch_add(1); });
  }
  EXPECT_EQ(done.load(), 50);
}

TEST(ThreadPoolTest, ZeroMeansHardwareThreads) {
  ThreadPool pool(0);
  EXPECT_EQ(pool.size(), ThreadPool::HardwareThreads());
  EXPECT_GE(pool.size(), 1u);
}

}  // namespace
}  // namespace tutela
