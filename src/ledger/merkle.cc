#include "tutela/ledger/merkle.h"

#include <cstring>
#include <string>

namespace tutela::ledger {
namespace {

// The largest power of two strictly smaller than n (n >= 2).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

void AppendPath(std::span<const Hash> leaves, uint64_t index, std::vector<Hash>& out) {
  const uint64_t n = leaves.size();
  if (n <= 1) return;
  const uint64_t k = SplitPoint(n);
  if (index < k) {
    AppendPath(leaves.subspan(0, k), index, out);
    out.push_back(RootFromLeaves(leaves.subspan(k)));
  } else {
    AppendPath(leaves.subspan(k), index - k, out);
    out.push_back(RootFromLeaves(leaves.subspan(0, k)));
  }
}

void AppendSubproof(std::span<const Hash> leaves, uint64_t m, bool complete_subtree, std::vector<Hash>& out) {
  const uint64_t n = leaves.size();
  if (m == n) {
    if (!complete_subtree) out.push_back(RootFromLeaves(leaves));
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    AppendSubproof(leaves.subspan(0, k), m, complete_subtree, out);
    out.push_back(RootFromLeaves(leaves.subspan(k)));
  } else {
    AppendSubproof(leaves.subspan(k), m - k, false, out);
    out.push_back(RootFromLeaves(leaves.subspan(0, k)));
  }
}

}  // namespace

Hash EmptyRoot() { return Sha256(""); }

Hash LeafHash(std::string_view entry) {
  std::string buffer;
  buffer.reserve(entry.size() + 1);
  buffer.push_back('\0');
  buffer.append(entry);
  return Sha256(buffer);
}

Hash NodeHash(const Hash& left, const Hash& right) {
  char buffer[65];
  buffer[0] = '\x01';
  std::memcpy(buffer + 1, left.data(), 32);
  std::memcpy(buffer + 33, right.data(), 32);
  return Sha256(std::string_view(buffer, sizeof buffer));
}

Hash RootFromLeaves(std::span<const Hash> leaves) {
  const uint64_t n = leaves.size();
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaves[0];
  const uint64_t k = SplitPoint(n);
  return NodeHash(RootFromLeaves(leaves.subspan(0, k)), RootFromLeaves(leaves.subspan(k)));
}

Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaves, uint64_t index, uint64_t tree_size) {
  if (tree_size > leaves.size()) {
    return Status::InvalidArgument("inclusion proof: tree size " + std::to_string(tree_size) +
                                   " is larger than the log (" + std::to_string(leaves.size()) +
                                   " entries); ask for a size the log has reached.");
  }
  if (index >= tree_size) {
    return Status::InvalidArgument("inclusion proof: entry " + std::to_string(index) + " is not in a tree of size " +
                                   std::to_string(tree_size) + "; the index must be smaller than the tree size.");
  }
  std::vector<Hash> proof;
  AppendPath(leaves.subspan(0, tree_size), index, proof);
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaves, uint64_t old_size, uint64_t new_size) {
  if (new_size > leaves.size()) {
    return Status::InvalidArgument("consistency proof: tree size " + std::to_string(new_size) +
                                   " is larger than the log (" + std::to_string(leaves.size()) +
                                   " entries); ask for a size the log has reached.");
  }
  if (old_size > new_size) {
    return Status::InvalidArgument("consistency proof: the old size " + std::to_string(old_size) +
                                   " is larger than the new size " + std::to_string(new_size) +
                                   "; give the smaller tree first.");
  }
  std::vector<Hash> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  AppendSubproof(leaves.subspan(0, new_size), old_size, true, proof);
  return proof;
}

Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size, std::span<const Hash> proof,
                       const Hash& root) {
  if (index >= tree_size) {
    return Status::Corruption("inclusion proof refused: entry " + std::to_string(index) +
                              " cannot be in a tree of size " + std::to_string(tree_size) + ".");
  }
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Status::Corruption("inclusion proof refused: the proof has more hashes than the tree needs.");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Corruption("inclusion proof refused: the proof has fewer hashes than the tree needs.");
  if (r != root) {
    return Status::Corruption("inclusion proof refused: the computed root " + ToHex(r) +
                              " differs from the tree head's root " + ToHex(root) + ".");
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root, const Hash& new_root,
                         std::span<const Hash> proof) {
  if (old_size > new_size) {
    return Status::Corruption("consistency proof refused: the old size " + std::to_string(old_size) +
                              " is larger than the new size " + std::to_string(new_size) + ".");
  }
  if (old_size == new_size) {
    if (!proof.empty()) return Status::Corruption("consistency proof refused: equal sizes need an empty proof.");
    if (old_root != new_root) {
      return Status::Corruption("consistency proof refused: two trees of size " + std::to_string(old_size) +
                                " have different roots.");
    }
    return Status::Ok();
  }
  if (old_size == 0) {
    if (!proof.empty()) return Status::Corruption("consistency proof refused: an empty old tree needs an empty proof.");
    return Status::Ok();
  }
  if (proof.empty()) return Status::Corruption("consistency proof refused: the proof is empty.");

  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if ((old_size & (old_size - 1)) == 0) path.push_back(old_root);  // old tree is a perfect subtree
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t c_idx = 1; c_idx < path.size(); ++c_idx) {
    const Hash& c = path[c_idx];
    if (sn == 0) return Status::Corruption("consistency proof refused: the proof has more hashes than needed.");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Corruption("consistency proof refused: the proof has fewer hashes than needed.");
  if (fr != old_root) {
    return Status::Corruption("consistency proof refused: the proof does not reproduce the old root " +
                              ToHex(old_root) + ".");
  }
  if (sr != new_root) {
    return Status::Corruption("consistency proof refused: the proof does not reproduce the new root " +
                              ToHex(new_root) + ".");
  }
  return Status::Ok();
}

void CompactRange::Append(const Hash& leaf_hash) {
  peaks_.push_back(leaf_hash);
  // Merge equal-sized perfect subtrees: each trailing 1 bit of the old size is one merge.
  for (uint64_t bits = size_; (bits & 1) != 0; bits >>= 1) {
    Hash right = peaks_.back();
    peaks_.pop_back();
    peaks_.back() = NodeHash(peaks_.back(), right);
  }
  ++size_;
}

Hash CompactRange::Root() const {
  if (peaks_.empty()) return EmptyRoot();
  Hash root = peaks_.back();
  for (size_t peak_idx = peaks_.size() - 1; peak_idx-- > 0;) root = NodeHash(peaks_[peak_idx], root);
  return root;
}

}  // namespace tutela::ledger

namespace tutela::ledger {

void MerkleTree::Append(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();  // before taking references into levels_
    const std::vector<Hash>& below = levels_[level];
    levels_[level + 1].push_back(NodeHash(below[below.size() - 2], below.back()));
  }
}

const std::vector<Hash>& MerkleTree::leaves() const {
  static const std::vector<Hash> kEmpty;
  return levels_.empty() ? kEmpty : levels_[0];
}

Hash MerkleTree::RangeRoot(uint64_t begin, uint64_t end) const {
  const uint64_t n = end - begin;
  if (n == 0) return EmptyRoot();
  if ((n & (n - 1)) == 0 && begin % n == 0) {  // an aligned perfect subtree: stored
    size_t level = static_cast<size_t>(__builtin_ctzll(n));
    return levels_[level][begin >> level];
  }
  const uint64_t k = SplitPoint(n);
  return NodeHash(RangeRoot(begin, begin + k), RangeRoot(begin + k, end));
}

void MerkleTree::AppendPath(uint64_t begin, uint64_t end, uint64_t index, std::vector<Hash>& out) const {
  const uint64_t n = end - begin;
  if (n <= 1) return;
  const uint64_t k = SplitPoint(n);
  if (index < k) {
    AppendPath(begin, begin + k, index, out);
    out.push_back(RangeRoot(begin + k, end));
  } else {
    AppendPath(begin + k, end, index - k, out);
    out.push_back(RangeRoot(begin, begin + k));
  }
}

void MerkleTree::AppendSubproof(uint64_t begin, uint64_t end, uint64_t m, bool complete, std::vector<Hash>& out) const {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!complete) out.push_back(RangeRoot(begin, end));
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    AppendSubproof(begin, begin + k, m, complete, out);
    out.push_back(RangeRoot(begin + k, end));
  } else {
    AppendSubproof(begin + k, end, m - k, false, out);
    out.push_back(RangeRoot(begin, begin + k));
  }
}

Result<Hash> MerkleTree::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("tree size " + std::to_string(tree_size) + " is larger than the log (" +
                                   std::to_string(size()) + " entries); ask for a size the log has reached.");
  }
  return RangeRoot(0, tree_size);
}

Result<std::vector<Hash>> MerkleTree::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size() || index >= tree_size) {
    return ::tutela::ledger::InclusionProof(leaves(), index, tree_size).status();  // same messages
  }
  std::vector<Hash> proof;
  AppendPath(0, tree_size, index, proof);
  return proof;
}

Result<std::vector<Hash>> MerkleTree::ConsistencyProof(uint64_t old_size, uint64_t new_size) const {
  if (new_size > size() || old_size > new_size) {
    return ::tutela::ledger::ConsistencyProof(leaves(), old_size, new_size).status();
  }
  std::vector<Hash> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  AppendSubproof(0, new_size, old_size, true, proof);
  return proof;
}

}  // namespace tutela::ledger
