#include "data/noise.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lp {

bool noise_parse(std::string_view text, NoiseSpec* out, std::string* error) {
  if (text == "none") {
    *out = {};
    return true;
  }
  const size_t colon = text.find(':');
  const std::string kind(text.substr(0, colon));
  const std::string value = colon == std::string_view::npos ? "" : std::string(text.substr(colon + 1));
  char* end = nullptr;
  const double amount = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !std::isfinite(amount) || amount < 0) {
    *error = "noise must look like gaussian:0.3 or saltpepper:0.2, got '" + std::string(text) + "'";
    return false;
  }
  if (kind == "gaussian" && amount <= 10) {
    *out = {NoiseSpec::Kind::gaussian, static_cast<float>(amount)};
  } else if (kind == "saltpepper" && amount <= 1) {
    *out = {NoiseSpec::Kind::saltpepper, static_cast<float>(amount)};
  } else {
    *error = "unknown noise '" + std::string(text) + "' (gaussian:S with S <= 10, or saltpepper:P with P <= 1)";
    return false;
  }
  return true;
}

std::string noise_name(const NoiseSpec& spec) {
  char buf[48];
  switch (spec.kind) {
    case NoiseSpec::Kind::none: return "none";
    case NoiseSpec::Kind::gaussian: std::snprintf(buf, sizeof buf, "gaussian:%g", spec.amount); return buf;
    case NoiseSpec::Kind::saltpepper: std::snprintf(buf, sizeof buf, "saltpepper:%g", spec.amount); return buf;
  }
  return "none";
}

void noise_apply(const NoiseSpec& spec, float* pixels, size_t n, Rng& rng) {
  switch (spec.kind) {
    case NoiseSpec::Kind::none: return;
    case NoiseSpec::Kind::gaussian:
      for (size_t i = 0; i < n; ++i) pixels[i] = std::clamp(pixels[i] + spec.amount * rng.normal(), 0.0f, 1.0f);
      return;
    case NoiseSpec::Kind::saltpepper:
      for (size_t i = 0; i < n; ++i)
        if (rng.uniform() < spec.amount) pixels[i] = rng.uniform() < 0.5f ? 0.0f : 1.0f;
      return;
  }
}

}  // namespace lp
