// RFC 9162 Merkle tree hashing, inclusion and consistency proofs, and their verification.
//
// A Merkle tree over entries d[0..n) as RFC 9162 §2.1.1 (and RFC 6962 §2.1) define it: SHA-256; the hash of an empty
// tree is SHA-256(""); a leaf hash is SHA-256(0x00 ‖ entry); an interior node is SHA-256(0x01 ‖ left ‖ right); a
// tree of n > 1 leaves splits at k, the largest power of two smaller than n. Proof generation works on the list of
// leaf hashes (the caller owns it; ledger::Log keeps one in memory); verification (RFC 9162 §2.1.3.2, §2.1.4.2) needs
// only the proof, the sizes and the roots, so a third party can check what the log claims without the log.
//
// CompactRange keeps the O(log n) roots of the perfect subtrees that make up a growing tree, so appending a leaf and
// computing the current root are O(log n) instead of O(n).
//
// Thread-safety: free functions are reentrant; a CompactRange is used by one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tutela/core/crypto.h"
#include "tutela/core/status.h"

namespace tutela::ledger {

using Hash = Digest256;

// SHA-256("") — the root of the empty tree.
Hash EmptyRoot();
// SHA-256(0x00 ‖ entry).
Hash LeafHash(std::string_view entry);
// SHA-256(0x01 ‖ left ‖ right).
Hash NodeHash(const Hash& left, const Hash& right);

// The Merkle tree hash (root) of the tree whose leaf hashes are `leaves` (O(n)).
Hash RootFromLeaves(std::span<const Hash> leaves);

// The audit path for leaf `index` in the tree made of the first `tree_size` leaf hashes (RFC 9162 §2.1.3.1).
// InvalidArgument if index >= tree_size or tree_size > leaves.size().
Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaves, uint64_t index, uint64_t tree_size);

// The consistency proof between the trees of the first `old_size` and `new_size` leaves (RFC 9162 §2.1.4.1); empty
// when old_size is 0 or equals new_size. InvalidArgument if old_size > new_size or new_size > leaves.size().
Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaves, uint64_t old_size, uint64_t new_size);

// Checks that `leaf_hash` is leaf `index` of the tree of `tree_size` leaves whose root is `root` (RFC 9162
// §2.1.3.2). OK if it is; Corruption naming what failed (index out of range, proof too long/short, root mismatch).
Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size, std::span<const Hash> proof,
                       const Hash& root);

// Checks that the tree of `old_size` leaves with root `old_root` is a prefix of the tree of `new_size` leaves with
// root `new_root` (RFC 9162 §2.1.4.2). Equal sizes need equal roots and an empty proof; old_size 0 is consistent with
// anything given an empty proof. OK if consistent; Corruption naming what failed otherwise.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root, const Hash& new_root,
                         std::span<const Hash> proof);

// Every level of a growing tree: level 0 holds the leaf hashes, level l the roots of the aligned perfect subtrees of
// 2^l leaves. Appends cost one leaf plus amortised one node hash; the root of any prefix and both kinds of proof cost
// O(log² n) hashes instead of the O(n) of the span-based functions above. Memory: about 64 bytes per leaf.
class MerkleTree {
 public:
  void Append(const Hash& leaf_hash);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const std::vector<Hash>& leaves() const;
  // The root of the first `tree_size` leaves; InvalidArgument if tree_size > size().
  Result<Hash> RootAt(uint64_t tree_size) const;
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

 private:
  Hash RangeRoot(uint64_t begin, uint64_t end) const;
  void AppendPath(uint64_t begin, uint64_t end, uint64_t index, std::vector<Hash>& out) const;
  void AppendSubproof(uint64_t begin, uint64_t end, uint64_t m, bool complete, std::vector<Hash>& out) const;
  std::vector<std::vector<Hash>> levels_;
};

// The roots of the perfect subtrees of a growing tree (the "compact range" [0, size)).
class CompactRange {
 public:
  // Adds the next leaf hash. O(log n).
  void Append(const Hash& leaf_hash);
  // The root of the tree of all leaves appended so far (EmptyRoot() when none). O(log n).
  Hash Root() const;
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> peaks_;  // roots of perfect subtrees, largest (leftmost) first
};

}  // namespace tutela::ledger
