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
  if (decoder->in_size() != 2 || decoder->out_size() != kPixels)
    return "the demo needs a decoder from a 2-D code to 28x28 pixels; this one maps " +
           std::to_string(decoder->in_size()) + " -> " + std::to_string(decoder->out_size());
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
    if (array.type != IdxType::f32 || array.dims.size() != 2 || array.dims[1] != 2)
      return "codes file must be a float IDX array of shape [n, 2]";
    data.codes = idx_floats(array);
    if (data.labels.size() != array.dims[0]) data.labels.assign(array.dims[0], 255);  // 255: no class (yet)
  } else if (name == "labels") {
    if (array.type != IdxType::u8 || array.dims.size() != 1) return "labels file must be a byte IDX vector";
    if (!data.codes.empty() && array.dims[0] * 2 != data.codes.size())
      return "labels file has " + std::to_string(array.dims[0]) + " labels for " +
             std::to_string(data.codes.size() / 2) + " codes";
    data.labels = std::move(array.values);
  } else if (name == "images") {
    if (array.type != IdxType::u8 || array.dims.size() != 3 || array.dims[1] != kImageSide ||
        array.dims[2] != kImageSide)
      return "images file must be a byte IDX array of shape [n, 28, 28]";
    data.images.resize(array.values.size());
    for (size_t i = 0; i < array.values.size(); ++i) data.images[i] = array.values[i] / 255.0f;
    data.image_count = static_cast<int>(array.dims[0]);
  } else {
    return "unknown demo file '" + name + "'";
  }
  return {};
}

void demo_decode(const DemoData& data, const float* codes, int n, float* pixels) {
  // demo_load accepts only models with a decoder.
  mlp_infer(*data.model.decoder(), data.decoder_packed, codes, n, pixels);
}

double now_ms() { return emscripten_get_now(); }

}  // namespace lp::web
