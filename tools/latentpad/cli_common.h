// Shared pieces of the latentpad subcommands: errors, defaults, loading.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "eval/reconstruction.h"
#include "io/file_io.h"

namespace lp::cli {

// A user-facing failure: main() prints "latentpad: error: <what>" and exits 1.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A wrong invocation (a bad or missing option, a value out of range): the
// same message, exit status 2, like the argument parser's own errors.
struct UsageError : Error {
  using Error::Error;
};
// For options every run needs: checked when the command runs rather than by
// the parser, which would report a missing --out before an unknown option.
void require_option(const std::string& value, const char* name);

// Each subcommand adds itself to the app; the returned callback runs it.
void add_train(CLI::App& app);
void add_eval(CLI::App& app);
void add_info(CLI::App& app);
void add_decode(CLI::App& app);
void add_encode(CLI::App& app);
void add_site_data(CLI::App& app);
void add_reconstruct(CLI::App& app);
void add_embed(CLI::App& app);
void add_generate(CLI::App& app);
void add_plot_loss(CLI::App& app);
void add_denoise(CLI::App& app);
void add_finetune(CLI::App& app);
void add_probe(CLI::App& app);
void add_anomaly(CLI::App& app);
void add_interpolate(CLI::App& app);
void add_import(CLI::App& app);
void add_export(CLI::App& app);

// --dataset mnist|fashion, with its default data folder and shipped model.
struct DatasetChoice {
  std::string name = "mnist";
  std::string data_dir;  // empty: default_data_dir(name)
};
void add_dataset_options(CLI::App& cmd, DatasetChoice& choice);
std::string default_data_dir(const std::string& dataset);
// The --weights a user gave, or else the shipped model of that kind for the data set.
enum class Shipped { autoencoder, denoiser };
std::string weights_or_shipped(const std::string& given, const std::string& dataset,
                               Shipped kind = Shipped::autoencoder);

// torchvision's folder name for a data set: "MNIST", "FashionMNIST".
std::string torchvision_folder(const std::string& dataset);
// The files of a split under --data (or the default folder), in any layout
// dataset_find takes; throws an Error with the fix (--dataset, fetching the data).
DatasetFiles find_split(const DatasetChoice& choice, Split split);
Dataset load_split(const DatasetChoice& choice, Split split);
// "m.lpad holds only the encoder; this command needs the decoder".
std::string missing_half(const std::string& path, ModelParts held, ModelParts needed);
// Loads a model file and insists that it holds what the command needs.
ModelFile load_model(const std::string& path, ModelParts needed);
// Throws unless every label is a class 0..9 (the classifiers have 10 outputs).
void require_ten_classes(const Dataset& data, const std::string& what);
// A full autoencoder whose input fits the data set's images.
ModelFile load_autoencoder_for(const std::string& path, const Dataset& data);
// The machine's hardware threads (at least 1).
int cpu_threads();
// A learning rate as a user would type it: 0.001, 100, 1e-05.
std::string fmt_rate(double lr);
// "256,128,64" -> {256, 128, 64}; empty string -> {}.
std::vector<int> parse_int_list(const std::string& text, const char* what);

}  // namespace lp::cli
