// Evaluation metrics for the analysis commands.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lp {

// Area under the ROC curve for scores where higher means "more anomalous":
// the probability that a random positive outscores a random negative, ties
// counting one half (the Mann-Whitney U statistic). Requires both non-empty.
double auroc(const std::vector<float>& negatives, const std::vector<float>& positives);

// Peak signal-to-noise ratio in dB of `test` against `reference`, pixels in
// [0, peak]. Identical images give +infinity.
double psnr(const float* reference, const float* test, size_t n, double peak = 1.0);

// Fraction of predictions equal to the labels.
double accuracy(const std::vector<int>& predictions, const std::vector<uint8_t>& labels);

}  // namespace lp
