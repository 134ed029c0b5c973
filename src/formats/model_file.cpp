#include "formats/model_file.h"

#include <cmath>
#include <cstring>

#include "formats/checksum.h"
#include "formats/half.h"

namespace lp {
namespace {

constexpr char kMagic[8] = {'L', 'P', 'A', 'D', 'M', 'D', 'L', '\n'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMaxLayers = 64;
constexpr uint32_t kMaxMetaPairs = 1024;
constexpr uint32_t kMaxMetaString = 1 << 16;
// 256 M parameters (1 GiB of floats): larger is a hostile header, not a model.
constexpr uint64_t kMaxParams = uint64_t{1} << 28;

// --- writing -----------------------------------------------------------------

struct Writer {
  std::vector<uint8_t> bytes;
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i))); }
  void f32(float v) { uint32_t bits; std::memcpy(&bits, &v, 4); u32(bits); }
  void f16(float v) { const uint16_t h = float_to_half(v); bytes.push_back(h & 0xFF); bytes.push_back(h >> 8); }
  void raw(const void* p, size_t n) { const auto* b = static_cast<const uint8_t*>(p); bytes.insert(bytes.end(), b, b + n); }
  void string(const std::string& s) { u32(static_cast<uint32_t>(s.size())); raw(s.data(), s.size()); }
  void section(const char tag[4], const Writer& payload) {
    raw(tag, 4);
    u32(0);
    u64(payload.bytes.size());
    raw(payload.bytes.data(), payload.bytes.size());
  }
};

std::vector<const Mlp*> nets_of(const ModelFile& file) {
  switch (file.parts) {
    case ModelParts::encoder: return {&file.model.encoder};
    case ModelParts::decoder: return {&file.model.decoder};
    case ModelParts::both: break;
  }
  return {&file.model.encoder, &file.model.decoder};
}

// Visits every parameter in file order: per net, per layer, W row-major then b.
template <class Layers, class Visit>
void for_each_param_in_file_order(Layers& layers, Visit visit) {
  for (auto& layer : layers) {
    for (Eigen::Index o = 0; o < layer.weight.rows(); ++o)
      for (Eigen::Index i = 0; i < layer.weight.cols(); ++i) visit(layer.weight(o, i));
    for (Eigen::Index o = 0; o < layer.bias.size(); ++o) visit(layer.bias(o));
  }
}

// Adam's moments have their layer's shape, so they go in file order as a layer would.
void write_moments(Writer& w, const std::vector<DenseGrad>& moments) {
  for_each_param_in_file_order(moments, [&](const float& v) { w.f32(v); });
}

// --- reading -----------------------------------------------------------------

struct Reader {
  const uint8_t* p;
  size_t left;
  bool u32(uint32_t* v) {
    if (left < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v |= uint32_t{p[i]} << (8 * i);
    p += 4; left -= 4;
    return true;
  }
  bool u64(uint64_t* v) {
    uint32_t lo, hi;
    if (left < 8) return false;
    u32(&lo); u32(&hi);
    *v = (uint64_t{hi} << 32) | lo;
    return true;
  }
  bool f32(float* v) {
    uint32_t bits;
    if (!u32(&bits)) return false;
    std::memcpy(v, &bits, 4);
    return true;
  }
  bool f16(float* v) {
    if (left < 2) return false;
    *v = half_to_float(static_cast<uint16_t>(p[0] | (p[1] << 8)));
    p += 2; left -= 2;
    return true;
  }
  bool string(std::string* s) {
    uint32_t n;
    if (!u32(&n) || n > kMaxMetaString || left < n) return false;
    s->assign(reinterpret_cast<const char*>(p), n);
    p += n; left -= n;
    return true;
  }
};

struct Section {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  bool present = false;
};

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

bool parse_arch(Section s, size_t expected_nets, std::vector<MlpSpec>* specs, std::string* error) {
  Reader r{s.data, static_cast<size_t>(s.size)};
  uint32_t nets;
  if (!r.u32(&nets)) return fail(error, "ARCH section is empty");
  if (nets != expected_nets)
    return fail(error, "ARCH holds " + std::to_string(nets) + " networks, the file's parts need " +
                           std::to_string(expected_nets));
  for (uint32_t n = 0; n < nets; ++n) {
    uint32_t layers;
    if (!r.u32(&layers)) return fail(error, "ARCH section truncated");
    if (layers < 1 || layers > kMaxLayers)
      return fail(error, "network " + std::to_string(n) + " has " + std::to_string(layers) +
                             " layers (allowed 1.." + std::to_string(kMaxLayers) + ")");
    MlpSpec spec;
    for (uint32_t k = 0; k <= layers; ++k) {
      uint32_t size;
      if (!r.u32(&size)) return fail(error, "ARCH section truncated");
      if (size < 1 || size > static_cast<uint32_t>(kMaxLayerWidth))
        return fail(error, "network " + std::to_string(n) + " has a layer of width " + std::to_string(size) +
                               " (allowed 1.." + std::to_string(kMaxLayerWidth) + ")");
      spec.sizes.push_back(static_cast<int>(size));
    }
    for (uint32_t k = 0; k < layers; ++k) {
      uint32_t act;
      if (!r.u32(&act)) return fail(error, "ARCH section truncated");
      if (!activation_is_valid(act))
        return fail(error, "network " + std::to_string(n) + " layer " + std::to_string(k) +
                               " has unknown activation code " + std::to_string(act));
      spec.acts.push_back(static_cast<Activation>(act));
    }
    specs->push_back(std::move(spec));
  }
  if (r.left != 0) return fail(error, "ARCH section has " + std::to_string(r.left) + " unexpected trailing bytes");
  return true;
}

uint64_t param_count(const std::vector<MlpSpec>& specs) {
  uint64_t count = 0;
  for (const MlpSpec& spec : specs)
    for (size_t k = 0; k + 1 < spec.sizes.size(); ++k)
      count += uint64_t(spec.sizes[k]) * uint64_t(spec.sizes[k + 1]) + uint64_t(spec.sizes[k + 1]);
  return count;
}

// Reads one network's parameters in file order into freshly shaped layers.
bool read_params(Reader& r, const MlpSpec& spec, ParamStorage storage, Mlp* mlp, std::string* error) {
  mlp->layers.clear();
  for (size_t k = 0; k + 1 < spec.sizes.size(); ++k) {
    Dense layer;
    layer.act = spec.acts[k];
    layer.weight.resize(spec.sizes[k + 1], spec.sizes[k]);
    layer.bias.resize(spec.sizes[k + 1]);
    mlp->layers.push_back(std::move(layer));
  }
  bool finite = true;
  for_each_param_in_file_order(mlp->layers, [&](float& v) {
    // The section length was checked against the count beforehand.
    if (storage == ParamStorage::f16) r.f16(&v); else r.f32(&v);
    finite = finite && std::isfinite(v);
  });
  if (!finite) return fail(error, "PARM section holds a NaN or infinite parameter");
  return true;
}

bool read_moments(Reader& r, const Autoencoder& model, std::vector<DenseGrad>* out) {
  for_each_layer(model, [&](LayerRef, const Dense& layer) { out->push_back(dense_grad_zeros(layer)); });
  bool ok = true;
  for_each_param_in_file_order(*out, [&](float& v) { ok = r.f32(&v) && ok; });
  return ok;
}

}  // namespace

bool model_file_signature(const uint8_t* data, size_t size) {
  return size >= sizeof kMagic && std::memcmp(data, kMagic, sizeof kMagic) == 0;
}

const char* model_parts_name(ModelParts parts) {
  switch (parts) {
    case ModelParts::both: return "autoencoder";
    case ModelParts::encoder: return "encoder";
    case ModelParts::decoder: return "decoder";
  }
  return "unknown";
}

std::vector<uint8_t> model_file_encode(const ModelFile& file) {
  const std::vector<const Mlp*> nets = nets_of(file);
  Writer arch, parm, meta, optm, kind;
  size_t params = 0;
  for (const Mlp* mlp : nets) params += mlp->parameter_count();
  parm.bytes.reserve(params * (file.storage == ParamStorage::f16 ? 2 : 4));
  if (file.optimizer) optm.bytes.reserve(32 + 8 * params);
  arch.u32(static_cast<uint32_t>(nets.size()));
  for (const Mlp* mlp : nets) {
    const MlpSpec spec = mlp->spec();
    arch.u32(static_cast<uint32_t>(mlp->layers.size()));
    for (int size : spec.sizes) arch.u32(static_cast<uint32_t>(size));
    for (Activation act : spec.acts) arch.u32(static_cast<uint32_t>(act));
    for_each_param_in_file_order(mlp->layers, [&](const float& v) {
      if (file.storage == ParamStorage::f16) parm.f16(v); else parm.f32(v);
    });
  }
  meta.u32(static_cast<uint32_t>(file.meta.size()));
  for (const auto& [key, value] : file.meta) {
    meta.string(key);
    meta.string(value);
  }
  // Optimizer state only makes sense next to full-precision parameters.
  const bool has_optm = file.optimizer.has_value() && file.parts == ModelParts::both &&
                        file.storage == ParamStorage::f32;
  const bool has_kind = file.model.kind != ModelKind::autoencoder;
  if (has_kind) kind.u32(static_cast<uint32_t>(file.model.kind));
  if (has_optm) {
    const OptimizerSnapshot& opt = *file.optimizer;
    optm.u64(static_cast<uint64_t>(opt.adam.step));
    optm.u32(static_cast<uint32_t>(opt.epoch));
    optm.u32(0);
    optm.u64(opt.rng_state);
    optm.u64(opt.rng_increment);
    write_moments(optm, opt.adam.m);
    write_moments(optm, opt.adam.v);
  }

  Writer out;
  // One allocation of the final size: a checkpoint is 12 bytes per parameter,
  // and growing the buffer by doubling would hold up to twice that at once.
  out.bytes.reserve(20 + 5 * 16 + arch.bytes.size() + parm.bytes.size() + meta.bytes.size() + optm.bytes.size() +
                    kind.bytes.size() + 4);
  out.raw(kMagic, sizeof kMagic);
  out.u32(kVersion);
  out.u32(static_cast<uint32_t>(file.parts));
  out.u32(3 + has_optm + has_kind);
  if (has_kind) out.section("KIND", kind);
  out.section("ARCH", arch);
  out.section(file.storage == ParamStorage::f16 ? "PF16" : "PARM", parm);
  out.section("META", meta);
  if (has_optm) out.section("OPTM", optm);
  out.u32(crc32(out.bytes.data(), out.bytes.size()));
  return std::move(out.bytes);
}

bool model_file_decode(const uint8_t* data, size_t size, ModelFile* out, std::string* error) {
  constexpr size_t kHeader = 8 + 4 + 4 + 4;
  if (size < kHeader + 4) return fail(error, "file too short to be a LatentPad model (" + std::to_string(size) + " bytes)");
  if (std::memcmp(data, kMagic, sizeof kMagic) != 0) return fail(error, "not a LatentPad model file (bad magic)");
  Reader r{data + 8, size - 8 - 4};  // the last 4 bytes are the checksum
  uint32_t version, parts_code, sections;
  r.u32(&version);
  r.u32(&parts_code);
  r.u32(&sections);
  if (version != kVersion)
    return fail(error, "unsupported model file version " + std::to_string(version) + " (this build reads " +
                           std::to_string(kVersion) + ")");
  if (parts_code < 1 || parts_code > 3)
    return fail(error, "unknown model parts code " + std::to_string(parts_code) + " (1 both, 2 encoder, 3 decoder)");
  const auto parts = static_cast<ModelParts>(parts_code);
  if (sections > 16) return fail(error, "implausible section count " + std::to_string(sections));

  // Walk the sections: structure first, so truncation is named as such.
  Section arch, parm, pf16, meta, optm, kind;
  for (uint32_t i = 0; i < sections; ++i) {
    if (r.left < 16) return fail(error, "file truncated in section header " + std::to_string(i));
    char tag[5] = {};
    std::memcpy(tag, r.p, 4);
    r.p += 4; r.left -= 4;
    uint32_t reserved;
    uint64_t length;
    r.u32(&reserved);
    r.u64(&length);
    if (length > r.left)
      return fail(error, std::string("file truncated: section ") + tag + " declares " + std::to_string(length) +
                             " bytes, " + std::to_string(r.left) + " remain");
    Section* slot = !std::strcmp(tag, "ARCH") ? &arch : !std::strcmp(tag, "PARM") ? &parm
                  : !std::strcmp(tag, "PF16") ? &pf16 : !std::strcmp(tag, "META") ? &meta
                  : !std::strcmp(tag, "OPTM") ? &optm : !std::strcmp(tag, "KIND") ? &kind : nullptr;
    if (!slot) return fail(error, std::string("unknown section '") + tag + "'");
    if (slot->present) return fail(error, std::string("duplicate section ") + tag);
    *slot = {r.p, length, true};
    r.p += length; r.left -= static_cast<size_t>(length);
  }
  if (r.left != 0) return fail(error, std::to_string(r.left) + " unexpected bytes after the last section");
  uint32_t stored_crc = 0;
  Reader tail{data + size - 4, 4};
  tail.u32(&stored_crc);
  if (crc32(data, size - 4) != stored_crc) return fail(error, "checksum mismatch: the file is corrupted");
  if (!arch.present) return fail(error, "missing ARCH section");
  if (parm.present == pf16.present) return fail(error, "expected exactly one of the PARM and PF16 sections");
  const ParamStorage storage = pf16.present ? ParamStorage::f16 : ParamStorage::f32;
  if (pf16.present) parm = pf16;
  const uint64_t value_size = storage == ParamStorage::f16 ? 2 : 4;

  ModelKind model_kind = ModelKind::autoencoder;
  if (kind.present) {
    Reader kr{kind.data, static_cast<size_t>(kind.size)};
    uint32_t code = 0;
    if (kind.size != 4 || !kr.u32(&code)) return fail(error, "KIND section must hold one u32");
    if (code != static_cast<uint32_t>(ModelKind::vae))
      return fail(error, "unknown model kind " + std::to_string(code) + " (2 is the variational autoencoder)");
    model_kind = static_cast<ModelKind>(code);
  }

  std::vector<MlpSpec> specs;
  if (!parse_arch(arch, parts == ModelParts::both ? 2 : 1, &specs, error)) return false;
  const uint64_t count = param_count(specs);
  if (count > kMaxParams) return fail(error, "architecture claims " + std::to_string(count) + " parameters");
  if (parm.size != count * value_size)
    return fail(error, std::string(storage == ParamStorage::f16 ? "PF16" : "PARM") + " holds " +
                           std::to_string(parm.size / value_size) + " values, the architecture needs " +
                           std::to_string(count));

  ModelFile file;
  file.parts = parts;
  file.model.kind = model_kind;
  file.storage = storage;
  Reader pr{parm.data, static_cast<size_t>(parm.size)};
  Mlp* targets[2] = {parts == ModelParts::decoder ? &file.model.decoder : &file.model.encoder, &file.model.decoder};
  for (size_t n = 0; n < specs.size(); ++n)
    if (!read_params(pr, specs[n], storage, targets[n], error)) return false;
  const std::string mismatch =
      parts == ModelParts::both ? autoencoder_check(file.model) : autoencoder_half_check(file.model);
  if (!mismatch.empty()) return fail(error, "architecture mismatch: " + mismatch);
  if (file.model.latent() > kMaxLatent)
    return fail(error, "its code is " + std::to_string(file.model.latent()) + " wide; LatentPad takes codes of 1 to " +
                           std::to_string(kMaxLatent));

  if (meta.present) {
    Reader mr{meta.data, static_cast<size_t>(meta.size)};
    uint32_t pairs;
    if (!mr.u32(&pairs) || pairs > kMaxMetaPairs) return fail(error, "META section is malformed");
    for (uint32_t i = 0; i < pairs; ++i) {
      std::string key, value;
      if (!mr.string(&key) || !mr.string(&value)) return fail(error, "META section is truncated");
      file.meta[key] = value;
    }
    if (mr.left != 0) return fail(error, "META section has unexpected trailing bytes");
  }

  if (optm.present) {
    if (parts != ModelParts::both) return fail(error, "only files with both halves may hold optimizer state");
    // model_file_encode never writes this pair: a resumed run needs the exact weights.
    if (storage != ParamStorage::f32) return fail(error, "optimizer state (OPTM) needs float32 parameters (PARM), not PF16");
    if (optm.size != 32 + 8 * count)
      return fail(error, "OPTM holds " + std::to_string(optm.size) + " bytes, expected " + std::to_string(32 + 8 * count));
    Reader orr{optm.data, static_cast<size_t>(optm.size)};
    OptimizerSnapshot opt;
    uint64_t step;
    uint32_t epoch, reserved;
    orr.u64(&step);
    orr.u32(&epoch);
    orr.u32(&reserved);
    orr.u64(&opt.rng_state);
    orr.u64(&opt.rng_increment);
    if (step > (uint64_t{1} << 40) || epoch > 1000000) return fail(error, "OPTM holds an implausible step or epoch");
    opt.adam.step = static_cast<int64_t>(step);
    opt.epoch = static_cast<int>(epoch);
    read_moments(orr, file.model, &opt.adam.m);
    read_moments(orr, file.model, &opt.adam.v);
    file.optimizer = std::move(opt);
  }
  *out = std::move(file);
  return true;
}

}  // namespace lp
