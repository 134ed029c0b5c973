// LatentPad's model file: a small versioned binary format that holds an
// autoencoder or a variational autoencoder, or its encoder or decoder alone,
// with the architecture, the float32 parameters, free-form training metadata
// and a CRC-32.
//
// Layout (all integers little-endian):
//   header   magic "LPADMDL\n" | u32 version = 1 | u32 parts | u32 section count
//   section  4-byte tag | u32 reserved = 0 | u64 payload length | payload   (repeated)
//   footer   u32 CRC-32 of every byte before it
// Sections:
//   ARCH  u32 net count; per net: u32 layer count L, u32 sizes[L+1], u32 activations[L]
//   PARM  f32 values; per net, per layer: weight row-major [out][in] (as PyTorch), then bias
//   PF16  instead of PARM: the same values as IEEE half precision (half the size)
//   META  u32 pair count; per pair: u32 length + key bytes, u32 length + value bytes
//   KIND  u32 model kind (nn/autoencoder.h: 2 = variational autoencoder, its
//         encoder ending in the heads [mu; logvar]). Written only for kinds
//         other than the autoencoder, so files without it (all files written
//         before VAEs existed) are autoencoders, and autoencoders' bytes are
//         what they always were.
//   OPTM  training checkpoints only: u64 Adam step | u32 epochs done | u32 0 |
//         u64 RNG state | u64 RNG increment | f32 Adam m (PARM layout) | f32 Adam v
// Encoding and decoding work on bytes in memory; see file_io.h for disk.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/rng.h"
#include "nn/adam.h"
#include "nn/autoencoder.h"

namespace lp {

// Which halves a file holds (the header's u32 parts).
enum class ModelParts : uint32_t { both = 1, encoder = 2, decoder = 3 };
// "autoencoder" (both halves), "encoder" or "decoder".
const char* model_parts_name(ModelParts parts);

// What a training checkpoint adds to the weights (formats/checkpoint.h builds
// it from a TrainState). Adam's moments are per layer, in for_each_layer order.
struct OptimizerSnapshot {
  AdamState adam;
  uint64_t rng_state = 0;
  uint64_t rng_increment = 0;
  int epoch = 0;
};

// How PARM values are stored. f16 halves the file for the web demo's download.
enum class ParamStorage { f32, f16 };

struct ModelFile {
  ModelParts parts = ModelParts::both;
  ParamStorage storage = ParamStorage::f32;  // chosen by encode, reported by decode
  // Both halves for an autoencoder. An encoder or decoder file leaves the
  // other half empty: reach the halves through encoder() and decoder(), which
  // say when one is missing.
  Autoencoder model;
  std::map<std::string, std::string> meta;
  std::optional<OptimizerSnapshot> optimizer;  // checkpoints of both halves only

  // The model's kind (autoencoder or VAE) is model.kind.
  // The half this file holds, or nullptr when it has none.
  const Mlp* encoder() const { return parts == ModelParts::decoder ? nullptr : &model.encoder; }
  const Mlp* decoder() const { return parts == ModelParts::encoder ? nullptr : &model.decoder; }
};

std::vector<uint8_t> model_file_encode(const ModelFile& file);
// True when the bytes start with the model file's magic.
bool model_file_signature(const uint8_t* data, size_t size);
// Validates everything (structure, limits, checksum, architecture, parameter
// count, finiteness) and names what is wrong. *out is untouched on failure.
bool model_file_decode(const uint8_t* data, size_t size, ModelFile* out, std::string* error);

}  // namespace lp
