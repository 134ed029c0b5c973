#include "demo_data.h"

#include <emscripten.h>

#include "formats/idx.h"

namespace lp::web {
namespace {

std::string load_model(DemoData& data, const uint8_t* bytes, size_t size) {
  ModelFile file;
  std::string error;
  if (!model_file_decode(bytes, size, &file, &error)) return "invalid model file: " + error;
  const Mlp* decoder = file.decoder();
  if (!decoder) return "the model file holds only an encoder; the demo needs a decoder";
  if (decoder->in_size() < 1 || decoder->in_size() > kMaxCode || decoder->out_size() != kPixels)
    return "the demo needs a decoder from a code of 1 to " + std::to_string(kMaxCode) +
           " numbers to 28x28 pixels; this one maps " + std::to_string(decoder->in_size()) + " -> " +
           std::to_string(decoder->out_size());
  data.model = std::move(file);
  data.decoder_packed = mlp_pack(*data.model.decoder());
  data.model_ready = true;
  return {};
}

}  // namespace

bool demo_set_parameters(DemoData& data, const float* parameters, size_t count) {
  if (!data.model_ready || !autoencoder_parameters_set(data.model.model, parameters, count)) return false;
  data.decoder_packed = mlp_pack(*data.model.decoder());  // the packed copy must follow
  return true;
}

namespace {

std::string load_idx(const std::string& name, const uint8_t* bytes, size_t size, IdxArray* out) {
  std::string error;
  if (!idx_parse(bytes, size, out, &error)) return "invalid " + name + " file: " + error;
  return {};
}

}  // namespace

std::string demo_load(DemoData& data, const std::string& name, const uint8_t* bytes, size_t size) {
  if (name == "model") return load_model(data, bytes, size);
  IdxArray array;
  std::string error = load_idx(name, bytes, size, &array);
  if (!error.empty()) return error;
  if (name == "codes") {
    if (array.type != IdxType::f32 || array.dims.size() != 2 || array.dims[1] < 1 || array.dims[1] > kMaxCode)
      return "codes file must be a float IDX array of shape [n, width], width 1 to " + std::to_string(kMaxCode);
    data.codes = idx_floats(array);
    data.code_width = static_cast<int>(array.dims[1]);
    if (data.labels.size() != array.dims[0]) data.labels.assign(array.dims[0], 255);  // 255: no class (yet)
  } else if (name == "labels") {
    if (array.type != IdxType::u8 || array.dims.size() != 1) return "labels file must be a byte IDX vector";
    if (!data.codes.empty() && static_cast<int>(array.dims[0]) != data.code_count())
      return "labels file has " + std::to_string(array.dims[0]) + " labels for " +
             std::to_string(data.code_count()) + " codes";
    data.labels = std::move(array.values);
  } else if (name == "images") {
    if (array.type != IdxType::u8 || array.dims.size() != 3 || array.dims[1] != kImageSide ||
        array.dims[2] != kImageSide)
      return "images file must be a byte IDX array of shape [n, 28, 28]";
    data.images.resize(array.values.size());
    for (size_t i = 0; i < array.values.size(); ++i) data.images[i] = array.values[i] / 255.0f;
    data.image_count = static_cast<int>(array.dims[0]);
    // FNV-1a over the bytes and the count: a key for the workers' copy.
    uint32_t hash = 2166136261u ^ static_cast<uint32_t>(data.image_count);
    for (const uint8_t* b = array.values.data(), *end = b + array.values.size(); b != end; ++b) hash = (hash ^ *b) * 16777619u;
    data.images_key = static_cast<int>(hash);
  } else {
    return "unknown demo file '" + name + "'";
  }
  return {};
}

void demo_decode(const DemoData& data, const float* codes, int n, float* pixels) {
  // demo_load accepts only models with a decoder.
  mlp_infer(*data.model.decoder(), data.decoder_packed, codes, n, pixels);
}

void demo_encode(const DemoData& data, const float* images, int n, float* codes, float* logvar) {
  const Autoencoder& model = data.model.model;
  if (!model.is_vae() || !logvar) {
    autoencoder_encode(model, images, n, codes);
    return;
  }
  // The encoder's last layer is the two heads, [mu; logvar] per image.
  const int width = model.latent();
  std::vector<float> heads(static_cast<size_t>(2) * width * n);
  mlp_infer(model.encoder, images, n, heads.data());
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < width; ++k) {
      codes[static_cast<size_t>(i) * width + k] = heads[static_cast<size_t>(i) * 2 * width + k];
      logvar[static_cast<size_t>(i) * width + k] = heads[static_cast<size_t>(i) * 2 * width + width + k];
    }
}

bool demo_can_encode(const DemoData& data) {
  const Mlp* encoder = data.model.encoder();
  return data.model_ready && encoder && encoder->in_size() == kPixels;
}

float code_distance2(const float* a, const float* b, int width) {
  float sum = 0;
  for (int k = 0; k < width; ++k) sum += (a[k] - b[k]) * (a[k] - b[k]);
  return sum;
}

double now_ms() { return emscripten_get_now(); }

}  // namespace lp::web
