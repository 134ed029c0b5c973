// latentpad site-data: the data files the web demo loads, made from a trained
// model: the model in half precision (half the download), the codes and labels
// of every test image for the scatter, and the first test images for the
// reconstruction panel.
#include <cmath>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <utility>

#include "cli_common.h"

namespace lp::cli {
namespace {

struct SiteOptions {
  DatasetChoice dataset;
  std::string weights;
  std::string out;
  int images = 1000;
  std::string training = "mnist,fashion";
};

// The two files of a run's data are from the same source: compare mtimes.
bool file_is_newer(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_mtime >= sb.st_mtime;
}

void write_or_throw(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::string error;
  if (!write_file_atomic(path, bytes, &error)) throw Error(error);
  std::printf("wrote %s (%zu bytes)\n", path.c_str(), bytes.size());
}

// The four IDX files of a data set for training in the page, gzipped, in
// <site>/train/<name>/ under their usual names: fetched only when someone
// starts a run. They come from --data for the --dataset one and from the
// default folder for the other; each is checked (inflated and parsed) first; a
// file already written from the same source is kept, so a rebuild does not
// compress 47 MB again.
void write_training_data(const std::string& site, const DatasetChoice& choice) {
  const std::string to = site + "/train/" + choice.name;
  std::string error;
  if (!make_directories(to, &error)) throw Error(error);
  for (const Split split : {Split::train, Split::test}) {
    const DatasetFiles files = find_split(choice, split);
    const std::string prefix = split == Split::train ? "train" : "t10k";
    for (const auto& [source, name] : {std::pair{files.images, prefix + "-images-idx3-ubyte"},
                                       std::pair{files.labels, prefix + "-labels-idx1-ubyte"}}) {
      const std::string target = to + "/" + name + ".gz";
      if (file_is_newer(target, source)) continue;
      IdxArray check;
      if (!idx_load(source, &check, &error)) throw Error(error);
      std::vector<uint8_t> bytes, packed;
      if (!read_file(source, &bytes, &error)) throw Error(error);
      const bool gzipped = bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
      if (!gzipped && !gzip_compress(bytes, &packed, &error)) throw Error(source + ": " + error);
      write_or_throw(target, gzipped ? bytes : packed);
    }
  }
}

void run_site_data(const SiteOptions& o) {
  require_option(o.out, "--out");
  if (o.training != "mnist" && o.training != "fashion" && o.training != "mnist,fashion" &&
      o.training != "fashion,mnist" && o.training != "both" && o.training != "none")
    throw UsageError("--training must be mnist, fashion, both (or mnist,fashion) or none");
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  ModelFile file = load_model(path, ModelParts::both);
  if (file.parts != ModelParts::both) throw Error(path + " must hold a full autoencoder");
  const Dataset test = load_split(o.dataset, Split::test);
  if (o.images < 1 || o.images > test.size()) throw UsageError("--images must be between 1 and " + std::to_string(test.size()));

  // Round-trip through half precision first, so the codes below are exactly
  // what the page computes from the file it downloads.
  file.storage = ParamStorage::f16;
  file.optimizer.reset();
  const std::vector<uint8_t> model_bytes = model_file_encode(file);
  std::string error;
  if (!model_file_decode(model_bytes.data(), model_bytes.size(), &file, &error)) throw Error(error);
  write_or_throw(o.out + "/model.lpad", model_bytes);

  // The scatter's codes, rounded to multiples of 1/4096: far below a pixel of
  // the pad (1/350 of tanh's range on a 700-pixel pad), and with the low
  // mantissa bits zero they gzip to about half, which keeps the first load
  // under 1.5 MB.
  Eigen::MatrixXf codes = encode_images(file.model, test);
  codes = codes.unaryExpr([](float v) { return std::ldexp(std::round(std::ldexp(v, 12)), -12); });
  write_or_throw(o.out + "/test-codes.idx",
                 idx_encode(idx_from_floats({static_cast<uint32_t>(test.size()), static_cast<uint32_t>(codes.rows())},
                                            codes.data())));
  IdxArray labels;
  labels.dims = {static_cast<uint32_t>(test.size())};
  labels.values = test.labels;
  write_or_throw(o.out + "/test-labels.idx", idx_encode(labels));
  IdxArray images;
  images.dims = {static_cast<uint32_t>(o.images), static_cast<uint32_t>(test.rows), static_cast<uint32_t>(test.cols)};
  images.values.assign(test.image(0), test.image(o.images));  // the IDX bytes as they were
  write_or_throw(o.out + "/test-images.idx", idx_encode(images));
  const std::string training = o.training == "both" ? "mnist,fashion" : o.training == "none" ? "" : o.training;
  for (const std::string& name : {std::string("mnist"), std::string("fashion")})
    if (("," + training + ",").find("," + name + ",") != std::string::npos)
      write_training_data(o.out, name == o.dataset.name ? o.dataset : DatasetChoice{name, ""});
}

}  // namespace

void add_site_data(CLI::App& app) {
  auto o = std::make_shared<SiteOptions>();
  CLI::App* cmd = app.add_subcommand("site-data", "Write the web demo's data files (model, test codes, test images)");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Autoencoder file [default: the shipped model for --dataset]");
  cmd->add_option("--out", o->out, "Site folder to write into (required)")->check(CLI::ExistingDirectory);
  cmd->add_option("--images", o->images, "How many test images to include")->capture_default_str();
  cmd->add_option("--training", o->training,
                  "Data sets to copy (gzipped) for training in the page: mnist, fashion, both or none")
      ->capture_default_str();
  cmd->callback([o] { run_site_data(*o); });
}

}  // namespace lp::cli
