#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace lp {

double auroc(const std::vector<float>& negatives, const std::vector<float>& positives) {
  // Rank all scores together; with average ranks for ties,
  // U = (sum of positive ranks) - P(P+1)/2 and AUROC = U / (P N).
  std::vector<std::pair<float, bool>> all;
  all.reserve(negatives.size() + positives.size());
  for (float v : negatives) all.emplace_back(v, false);
  for (float v : positives) all.emplace_back(v, true);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double positive_rank_sum = 0.0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;  // ranks i+1..j
    for (size_t k = i; k < j; ++k)
      if (all[k].second) positive_rank_sum += average_rank;
    i = j;
  }
  const double p = static_cast<double>(positives.size()), n = static_cast<double>(negatives.size());
  return (positive_rank_sum - p * (p + 1) / 2) / (p * n);
}

double psnr(const float* reference, const float* test, size_t n, double peak) {
  double squared = 0.0;
  for (size_t i = 0; i < n; ++i) squared += (static_cast<double>(reference[i]) - test[i]) * (reference[i] - test[i]);
  const double mse = squared / static_cast<double>(n);
  if (mse == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(peak * peak / mse);
}

double accuracy(const std::vector<int>& predictions, const std::vector<uint8_t>& labels) {
  size_t correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) correct += predictions[i] == labels[i];
  return predictions.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(predictions.size());
}

}  // namespace lp
