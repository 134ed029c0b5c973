#include "cli_common.h"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <cstdlib>

namespace lp::cli {

void add_dataset_options(CLI::App& cmd, DatasetChoice& choice) {
  cmd.add_option("--dataset", choice.name, "Data set: mnist or fashion")
      ->check(CLI::IsMember({"mnist", "fashion"}))
      ->capture_default_str();
  cmd.add_option("--data", choice.data_dir,
                 "Data folder: the four IDX files (plain or .gz, -idx3-ubyte or .idx3-ubyte), or torchvision's "
                 "download folder (./dataset, ./dataset/MNIST or ./dataset/MNIST/raw; FashionMNIST for "
                 "--dataset fashion) [default: data/<dataset>]");
}

std::string torchvision_folder(const std::string& dataset) { return dataset == "fashion" ? "FashionMNIST" : "MNIST"; }

std::string default_data_dir(const std::string& dataset) {
  if (const char* env = std::getenv("LATENTPAD_DATA")) return std::string(env) + "/" + dataset;
  return std::string(LATENTPAD_SOURCE_DIR) + "/data/" + dataset;
}

std::string weights_or_shipped(const std::string& given, const std::string& dataset, Shipped kind) {
  if (!given.empty()) return given;
  return std::string(LATENTPAD_SOURCE_DIR) + "/weights/" + dataset + (kind == Shipped::denoiser ? "-denoise" : "") +
         ".lpad";
}

DatasetFiles find_split(const DatasetChoice& choice, Split split) {
  const std::string dir = choice.data_dir.empty() ? default_data_dir(choice.name) : choice.data_dir;
  DatasetFiles files;
  std::string error;
  if (dataset_find(dir, torchvision_folder(choice.name), split, &files, &error)) return files;
  for (const char* name : {"mnist", "fashion"})
    if (!files.other.empty() && files.other == torchvision_folder(name)) error += std::string("; pass --dataset ") + name;
  if (choice.data_dir.empty() && files.other.empty())
    error += "; run tools/demo or tools/test once to fetch the data, or pass --data DIR";
  throw Error(error);
}

Dataset load_split(const DatasetChoice& choice, Split split) {
  Dataset data;
  std::string error;
  if (!dataset_load(find_split(choice, split), &data, &error)) throw Error(error);
  return data;
}

std::string missing_half(const std::string& path, ModelParts held, ModelParts needed) {
  const char* missing = held == ModelParts::encoder ? "decoder" : "encoder";
  if (needed == ModelParts::both)
    return path + " holds only the " + model_parts_name(held) + "; this command needs the whole autoencoder (the " +
           missing + " is missing)";
  return path + " holds only the " + model_parts_name(held) + "; this command needs the " + model_parts_name(needed);
}

ModelFile load_model(const std::string& path, ModelParts needed) {
  ModelFile file;
  std::string error;
  if (!model_file_load(path, &file, &error)) throw Error(error);
  const bool fits = file.parts == needed || file.parts == ModelParts::both;
  if (!fits) throw Error(missing_half(path, file.parts, needed));
  return file;
}

void require_ten_classes(const Dataset& data, const std::string& what) {
  for (size_t i = 0; i < data.labels.size(); ++i)
    if (data.labels[i] > 9)
      throw Error(what + " label " + std::to_string(i) + " is " + std::to_string(data.labels[i]) +
                  "; classification needs labels 0..9");
}

ModelFile load_autoencoder_for(const std::string& path, const Dataset& data) {
  ModelFile file = load_model(path, ModelParts::both);
  if (file.parts != ModelParts::both) throw Error(missing_half(path, file.parts, ModelParts::both));
  if (file.model.encoder.in_size() != data.rows * data.cols)
    throw Error(path + " expects " + std::to_string(file.model.encoder.in_size()) + "-pixel images, the data has " +
                std::to_string(data.rows * data.cols));
  return file;
}

void require_option(const std::string& value, const char* name) {
  if (value.empty()) throw UsageError(std::string(name) + " is required");
}

int cpu_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

std::string fmt_rate(double lr) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", lr);
  return buf;
}

std::vector<int> parse_int_list(const std::string& text, const char* what) {
  std::vector<int> values;
  if (text.empty()) return values;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string field = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const long v = std::strtol(field.c_str(), &end, 10);
    if (field.empty() || *end != '\0' || v < 0 || v > 1000000)
      throw UsageError(std::string("--") + what + ": '" + field + "' is not a non-negative integer");
    values.push_back(static_cast<int>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

}  // namespace lp::cli
