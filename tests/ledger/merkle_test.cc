// RFC 9162 / RFC 6962 Merkle tree: the reference test vectors of the 8-leaf tree, a cross-check against an
// independent naive computation for every size up to 70, and proofs that must be refused.
#include "tutela/ledger/merkle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tutela::ledger {
namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

// The leaves of the reference tree used by RFC 6962 implementations' test suites.
std::vector<std::string> ReferenceEntries() {
  return {"",
          Bytes({0x00}),
          Bytes({0x10}),
          Bytes({0x20, 0x21}),
          Bytes({0x30, 0x31}),
          Bytes({0x40, 0x41, 0x42, 0x43}),
          Bytes({0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57}),
          Bytes({0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f})};
}

std::vector<Hash> Leaves(const std::vector<std::string>& entries) {
  std::vector<Hash> leaves;
  for (const std::string& entry : entries) leaves.push_back(LeafHash(entry));
  return leaves;
}

// Independent reference: MTH straight from the definition, over the entries (not leaf hashes), with its own hashing.
Hash NaiveRoot(const std::vector<std::string>& entries, size_t begin, size_t end) {
  size_t n = end - begin;
  if (n == 0) return Sha256("");
  if (n == 1) return Sha256(std::string(1, '\0') + entries[begin]);
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  Hash left = NaiveRoot(entries, begin, begin + k);
  Hash right = NaiveRoot(entries, begin + k, end);
  std::string buffer(1, '\x01');
  buffer.append(reinterpret_cast<const char*>(left.data()), 32);
  buffer.append(reinterpret_cast<const char*>(right.data()), 32);
  return Sha256(buffer);
}

TEST(MerkleTest, EmptyTreeIsHashOfEmptyString) {
  EXPECT_EQ(ToHex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(RootFromLeaves({}), EmptyRoot());
  EXPECT_EQ(CompactRange().Root(), EmptyRoot());
}

TEST(MerkleTest, ReferenceRootsForSizesOneToEight) {
  const char* kRoots[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  std::vector<Hash> leaves = Leaves(ReferenceEntries());
  CompactRange range;
  for (size_t size = 1; size <= 8; ++size) {
    range.Append(leaves[size - 1]);
    EXPECT_EQ(ToHex(RootFromLeaves(std::span<const Hash>(leaves).subspan(0, size))), kRoots[size - 1]) << size;
    EXPECT_EQ(ToHex(range.Root()), kRoots[size - 1]) << size;
  }
}

struct InclusionVector {
  uint64_t index;
  uint64_t size;
  std::vector<std::string> path;
};

TEST(MerkleTest, ReferenceInclusionProofs) {
  const std::vector<InclusionVector> kVectors = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  std::vector<Hash> leaves = Leaves(ReferenceEntries());
  for (const InclusionVector& vector : kVectors) {
    auto proof = InclusionProof(leaves, vector.index, vector.size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    std::vector<std::string> hex;
    for (const Hash& hash : *proof) hex.push_back(ToHex(hash));
    EXPECT_EQ(hex, vector.path) << "leaf " << vector.index << " of " << vector.size;
    Hash root = RootFromLeaves(std::span<const Hash>(leaves).subspan(0, vector.size));
    EXPECT_TRUE(VerifyInclusion(leaves[vector.index], vector.index, vector.size, *proof, root).ok());
  }
}

struct ConsistencyVector {
  uint64_t old_size;
  uint64_t new_size;
  std::vector<std::string> proof;
};

TEST(MerkleTest, ReferenceConsistencyProofs) {
  const std::vector<ConsistencyVector> kVectors = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  std::vector<Hash> leaves = Leaves(ReferenceEntries());
  for (const ConsistencyVector& vector : kVectors) {
    auto proof = ConsistencyProof(leaves, vector.old_size, vector.new_size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    std::vector<std::string> hex;
    for (const Hash& hash : *proof) hex.push_back(ToHex(hash));
    EXPECT_EQ(hex, vector.proof) << vector.old_size << " -> " << vector.new_size;
    Hash old_root = RootFromLeaves(std::span<const Hash>(leaves).subspan(0, vector.old_size));
    Hash new_root = RootFromLeaves(std::span<const Hash>(leaves).subspan(0, vector.new_size));
    EXPECT_TRUE(VerifyConsistency(vector.old_size, vector.new_size, old_root, new_root, *proof).ok());
  }
}

TEST(MerkleTest, CrossCheckAgainstNaiveComputationForManySizes) {
  std::vector<std::string> entries;
  for (int entry_idx = 0; entry_idx < 70; ++entry_idx) entries.push_back("entry-" + std::to_string(entry_idx * 7919));
  std::vector<Hash> leaves = Leaves(entries);
  std::vector<Hash> naive_roots;
  CompactRange range;
  MerkleTree tree;
  naive_roots.push_back(NaiveRoot(entries, 0, 0));
  for (size_t size = 1; size <= entries.size(); ++size) {
    range.Append(leaves[size - 1]);
    tree.Append(leaves[size - 1]);
    naive_roots.push_back(NaiveRoot(entries, 0, size));
    ASSERT_EQ(range.Root(), naive_roots[size]) << size;
    ASSERT_EQ(RootFromLeaves(std::span<const Hash>(leaves).subspan(0, size)), naive_roots[size]) << size;
  }
  for (uint64_t size = 1; size <= entries.size(); ++size) {
    uint64_t max_path = 0;
    while ((uint64_t{1} << max_path) < size) ++max_path;
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = InclusionProof(leaves, index, size);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*tree.InclusionProof(index, size), *proof) << "leaf " << index << " of " << size;
      EXPECT_LE(proof->size(), max_path);
      ASSERT_TRUE(VerifyInclusion(leaves[index], index, size, *proof, naive_roots[size]).ok())
          << "leaf " << index << " of " << size;
      // Another leaf's hash must not verify at this position.
      if (size > 1) {
        EXPECT_FALSE(VerifyInclusion(leaves[(index + 1) % size], index, size, *proof, naive_roots[size]).ok());
      }
    }
    for (uint64_t old_size = 0; old_size <= size; ++old_size) {
      auto proof = ConsistencyProof(leaves, old_size, size);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*tree.ConsistencyProof(old_size, size), *proof) << old_size << " -> " << size;
      ASSERT_EQ(*tree.RootAt(old_size), naive_roots[old_size]);
      ASSERT_TRUE(VerifyConsistency(old_size, size, naive_roots[old_size], naive_roots[size], *proof).ok())
          << old_size << " -> " << size;
      if (old_size > 0 && old_size < size) {
        // A different old root (the tree of one leaf fewer or more) must be refused.
        EXPECT_FALSE(VerifyConsistency(old_size, size, naive_roots[old_size - 1], naive_roots[size], *proof).ok());
        EXPECT_FALSE(VerifyConsistency(old_size, size, naive_roots[old_size], naive_roots[size - 1], *proof).ok());
      }
    }
  }
}

TEST(MerkleTest, WrongInclusionProofsAreRefused) {
  std::vector<Hash> leaves = Leaves(ReferenceEntries());
  Hash root = RootFromLeaves(leaves);
  auto proof = InclusionProof(leaves, 5, 8);
  ASSERT_TRUE(proof.ok());
  ASSERT_TRUE(VerifyInclusion(leaves[5], 5, 8, *proof, root).ok());

  for (size_t hash_idx = 0; hash_idx < proof->size(); ++hash_idx) {  // any flipped bit
    std::vector<Hash> bad = *proof;
    bad[hash_idx][0] ^= 1;
    EXPECT_EQ(VerifyInclusion(leaves[5], 5, 8, bad, root).code(), StatusCode::kCorruption);
  }
  std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
  EXPECT_FALSE(VerifyInclusion(leaves[5], 5, 8, shorter, root).ok());
  std::vector<Hash> longer = *proof;
  longer.push_back(root);
  EXPECT_FALSE(VerifyInclusion(leaves[5], 5, 8, longer, root).ok());
  EXPECT_FALSE(VerifyInclusion(leaves[5], 4, 8, *proof, root).ok());  // wrong index
  // The size is authenticated by the signed tree head, not the path: a size whose path has the same shape (7) passes,
  // one with a different shape must not.
  EXPECT_FALSE(VerifyInclusion(leaves[5], 5, 6, *proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(leaves[5], 8, 8, *proof, root).ok());  // index out of range
  EXPECT_FALSE(VerifyInclusion(LeafHash("forged"), 5, 8, *proof, root).ok());
  Hash other_root = root;
  other_root[31] ^= 0x80;
  EXPECT_FALSE(VerifyInclusion(leaves[5], 5, 8, *proof, other_root).ok());
  EXPECT_FALSE(VerifyInclusion(leaves[0], 0, 1, std::vector<Hash>{leaves[1]}, leaves[0]).ok());

  EXPECT_EQ(InclusionProof(leaves, 8, 8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(leaves, 0, 9).status().code(), StatusCode::kInvalidArgument);
}

TEST(MerkleTest, WrongConsistencyProofsAreRefused) {
  std::vector<Hash> leaves = Leaves(ReferenceEntries());
  auto root_at = [&](size_t size) { return RootFromLeaves(std::span<const Hash>(leaves).subspan(0, size)); };
  auto proof = ConsistencyProof(leaves, 6, 8);
  ASSERT_TRUE(proof.ok());
  for (size_t hash_idx = 0; hash_idx < proof->size(); ++hash_idx) {
    std::vector<Hash> bad = *proof;
    bad[hash_idx][7] ^= 4;
    EXPECT_FALSE(VerifyConsistency(6, 8, root_at(6), root_at(8), bad).ok());
  }
  EXPECT_FALSE(VerifyConsistency(6, 8, root_at(6), root_at(8), {}).ok());      // empty
  EXPECT_FALSE(VerifyConsistency(5, 8, root_at(5), root_at(8), *proof).ok());  // wrong old size
  EXPECT_FALSE(VerifyConsistency(6, 7, root_at(6), root_at(7), *proof).ok());  // wrong new size
  EXPECT_FALSE(VerifyConsistency(8, 6, root_at(8), root_at(6), *proof).ok());  // reversed
  EXPECT_FALSE(VerifyConsistency(4, 4, root_at(4), root_at(5), {}).ok());      // same size, other root
  EXPECT_FALSE(
      VerifyConsistency(4, 4, root_at(4), root_at(4), std::vector<Hash>{root_at(4)}).ok());  // same size, proof given
  EXPECT_FALSE(VerifyConsistency(0, 4, EmptyRoot(), root_at(4), std::vector<Hash>{root_at(4)}).ok());  // empty old tree
  std::vector<Hash> longer = *proof;
  longer.push_back(root_at(2));
  EXPECT_FALSE(VerifyConsistency(6, 8, root_at(6), root_at(8), longer).ok());
  EXPECT_EQ(ConsistencyProof(leaves, 5, 4).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(leaves, 1, 9).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tutela::ledger
