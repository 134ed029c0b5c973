#include "interop/model_import.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include "interop/printable.h"
#include "interop/torch_file.h"
#include "interop/zip_archive.h"

namespace lp {
namespace {

// One Linear layer as a file describes it, before it becomes a Dense.
struct FoundLayer {
  std::string name;  // where it sits: "encoder.encoder.0"
  NamedTensor weight;
  std::optional<NamedTensor> bias;
  std::optional<Activation> act;  // known from the module tree, else filled in later
};

// What one file holds, as a chain of layers.
struct FoundFile {
  std::string name;         // for messages: the file's name, with the key of a model in a checkpoint: "c.pth['model']"
  std::string description;  // for the metadata: "torch.save of __main__.AutoEncoder"
  // What the metadata's source says of it: "c.pth (torch.save of __main__.AutoEncoder)"; empty for
  // a checkpoint's decoder half, whose encoder's source names both.
  std::string source;
  std::vector<FoundLayer> layers;
  int split = 0;            // layers before the code: see split_point
  bool acts_known = false;  // from module classes or LatentPad's own metadata
  int act_modules = 0;      // activation modules met in a module tree
  // LatentPad's own safetensors metadata, one per layer with a VAE's heads
  // counted as one: applied once the heads are merged (merge_heads).
  std::vector<Activation> listed_acts;
  bool says_vae = false;  // that metadata says VAE: the only sign of a VAE's decoder saved alone
  int heads = -1;         // index of a VAE's [mu; logvar] layer once merged, -1 for none
  std::string heads_how;  // for the metadata: "fc21 (mu) and fc22 (logvar)"
};

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

std::string short_class(const std::string& type) { return type.substr(type.rfind('.') + 1); }

bool is_nn(const std::string& type, const char* name) {
  return type.rfind("torch.nn.modules.", 0) == 0 && short_class(type) == name;
}

// --- from a module tree ------------------------------------------------------

bool flatten_module(const TorchModule& module, const std::string& path, FoundFile* found, std::string* error) {
  const std::string where = path.empty() ? "its root" : path;
  const std::string cls = short_class(module.type);
  if (is_nn(module.type, "Linear")) {
    FoundLayer layer;
    layer.name = path;
    for (const NamedTensor& p : module.parameters) {
      if (p.name == "weight") layer.weight = p;
      else if (p.name == "bias") layer.bias = p;
    }
    if (layer.weight.shape.size() != 2) return fail(error, "its Linear at " + where + " has no 2-D weight");
    found->layers.push_back(std::move(layer));
    return true;
  }
  Activation act = Activation::identity;
  if (is_nn(module.type, "Tanh")) act = Activation::tanh;
  else if (is_nn(module.type, "Sigmoid")) act = Activation::sigmoid;
  else if (is_nn(module.type, "ReLU")) act = Activation::relu;
  if (act != Activation::identity) {
    if (found->layers.empty() || found->layers.back().act)
      return fail(error, "its " + cls + " at " + where + " does not follow a Linear layer");
    found->layers.back().act = act;
    ++found->act_modules;
    return true;
  }
  if (module.type.rfind("torch.nn.modules.conv.", 0) == 0)
    return fail(error, (path.empty() ? std::string("it holds a ") : "its module " + path + " is a ") + "torch.nn." + cls +
                           "; LatentPad reads MLPs (Linear layers) only");
  // At inference these pass values through unchanged.
  if (is_nn(module.type, "Identity") || is_nn(module.type, "Dropout") || is_nn(module.type, "Flatten")) return true;
  const bool container = is_nn(module.type, "Sequential") || is_nn(module.type, "ModuleList") ||
                         module.type.rfind("__main__.", 0) == 0;
  if (!container)
    return fail(error, "it holds a " + cls + " at " + where +
                           ", which LatentPad cannot run (it runs Linear layers with Tanh, Sigmoid or ReLU)");
  if (!module.parameters.empty())
    return fail(error, "its " + cls + " at " + where + " has parameters of its own (" + module.parameters[0].name +
                           "), which LatentPad cannot place");
  // The user's own classes are assumed to run their children in order, as the tutorial's do.
  for (const TorchModule& child : module.children)
    if (!flatten_module(child, path.empty() ? child.name : path + "." + child.name, found, error)) return false;
  return true;
}

// --- from a state_dict ----------------------------------------------------------

// Orders names as people number layers: "decoder.10" after "decoder.2", and an
// "encoder..." group before a "decoder..." one (safetensors sorts its header).
bool natural_less(const std::string& a, const std::string& b) {
  // A path component starting with "decoder" (decoder.0, model.decoder.0 ...) ranks last.
  const auto rank = [](const std::string& s) {
    return s.rfind("decoder", 0) == 0 || s.find(".decoder") != std::string::npos ? 1 : 0;
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const std::string na = a.substr(i, ie - i), nb = b.substr(j, je - j);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

bool layers_from_tensors(std::vector<NamedTensor> tensors, bool sort_names, FoundFile* found, std::string* error) {
  if (sort_names)
    std::stable_sort(tensors.begin(), tensors.end(),
                     [](const NamedTensor& a, const NamedTensor& b) { return natural_less(a.name, b.name); });
  // A convolution's weight is [out, in, k...]: say so, rather than that it is no Linear layer's.
  for (const NamedTensor& t : tensors) {
    const size_t dims = t.shape.size();
    const bool weight = t.name.size() >= 6 && t.name.compare(t.name.size() - 6, 6, "weight") == 0;
    if (!weight || dims < 3 || dims > 5) continue;
    std::string shape;
    for (int64_t d : t.shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    return fail(error, "its tensor " + t.name + " is " + std::to_string(dims) + "-D (" + shape + "), a torch.nn.Conv" +
                           std::to_string(dims - 2) + "d's weight; LatentPad reads MLPs (Linear layers) only");
  }
  // Layers in order of their first tensor; each is a 2-D weight and an optional bias.
  for (NamedTensor& t : tensors) {
    const size_t dot = t.name.rfind('.');
    const std::string prefix = dot == std::string::npos ? "" : t.name.substr(0, dot);
    const std::string leaf = dot == std::string::npos ? t.name : t.name.substr(dot + 1);
    auto layer = std::find_if(found->layers.begin(), found->layers.end(),
                              [&](const FoundLayer& l) { return l.name == prefix; });
    if (layer == found->layers.end()) {
      if (found->layers.size() == 2 * 64)  // the model format's limit, for both halves
        return fail(error, "it holds more than 128 layers");
      found->layers.emplace_back();
      found->layers.back().name = prefix;
      layer = found->layers.end() - 1;
    }
    if (leaf == "weight" && t.shape.size() == 2 && layer->weight.shape.empty()) {
      layer->weight = std::move(t);
    } else if (leaf == "bias" && t.shape.size() == 1 && !layer->bias) {
      layer->bias = std::move(t);
    } else {
      return fail(error, "it holds " + t.name + ", which is not a Linear layer's weight or bias");
    }
  }
  for (const FoundLayer& layer : found->layers)
    if (layer.weight.shape.empty()) return fail(error, "it holds " + layer.name + ".bias without a weight");
  if (found->layers.empty()) return fail(error, "it holds no Linear layers");
  return true;
}

// --- a variational autoencoder's heads ----------------------------------------
//
// A VAE's encoder ends in two Linear heads reading the same trunk output h:
// mu and logvar, L values each. LatentPad keeps them as one layer of 2L rows,
// mu's then logvar's (nn/autoencoder.h), so importing one means finding the
// two, stacking them, and putting the result between the trunk and the
// decoder. Nothing in a file says "VAE": the heads are known by their names.

int64_t in_width(const FoundLayer& layer) { return layer.weight.shape[1]; }
int64_t out_width(const FoundLayer& layer) { return layer.weight.shape[0]; }
// Whether a gives twice what b takes (without overflow: widths come from the file).
bool twice(int64_t a, int64_t b) { return a % 2 == 0 && a / 2 == b; }

std::string parent_of(const std::string& name) {
  const size_t dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}
std::string leaf_of(const std::string& name) { return name.substr(name.rfind('.') + 1); }

// Head names as VAE code in the wild spells them, mu first. They may sit
// anywhere (at the root, inside an `encoder` submodule ...), both under one parent.
struct HeadNames {
  const char* mu;
  const char* logvar;
};
constexpr HeadNames kExamplesHeads = {"fc21", "fc22"};  // pytorch/examples' vae/main.py
constexpr HeadNames kKnownHeads[] = {
    kExamplesHeads, {"fc_mu", "fc_logvar"}, {"fc_mu", "fc_var"}, {"mu", "log_var"},
    {"mu", "logvar"},  // LatentPad's own export
};

struct HeadPair {
  size_t mu = 0, logvar = 0;  // indices into the file's layers
  bool examples = false;      // pytorch/examples' fc21 / fc22
};

// The heads a file holds under --vae-heads' names (exactly as the file has
// them) or under a known pair of names. Fails only when --vae-heads names one
// layer of the file but not the other.
bool find_named_heads(const FoundFile& f, const ImportOptions& options, std::optional<HeadPair>* out,
                      std::string* error) {
  const auto& layers = f.layers;
  const auto index = [&](const std::string& name) {
    for (size_t i = 0; i < layers.size(); ++i)
      if (layers[i].name == name) return static_cast<int>(i);
    return -1;
  };
  if (!options.vae_heads.empty()) {
    const int mu = index(options.vae_heads[0]), logvar = index(options.vae_heads[1]);
    if (mu < 0 && logvar < 0) return true;  // perhaps in the other file
    if (mu < 0 || logvar < 0)
      return fail(error, "cannot use " + f.name + ": --vae-heads names " + options.vae_heads[0] + " and " +
                             options.vae_heads[1] + ", but it holds only " + (mu < 0 ? options.vae_heads[1] : options.vae_heads[0]));
    *out = HeadPair{static_cast<size_t>(mu), static_cast<size_t>(logvar), false};
    return true;
  }
  for (const HeadNames& names : kKnownHeads)
    for (size_t i = 0; i < layers.size(); ++i) {
      if (leaf_of(layers[i].name) != names.mu) continue;
      const std::string parent = parent_of(layers[i].name);
      const int logvar = index(parent.empty() ? names.logvar : parent + "." + names.logvar);
      if (logvar >= 0) {
        *out = HeadPair{i, static_cast<size_t>(logvar), &names == &kKnownHeads[0]};
        return true;
      }
    }
  return true;
}

// Whether the layers left once the heads are out make a trunk rest[0, k)
// ending in the heads' h inputs and a decoder rest[k, n) taking their L
// outputs and giving back the model's input width.
bool heads_fit(const std::vector<FoundLayer>& rest, size_t k, int64_t h, int64_t latent) {
  const size_t n = rest.size();
  for (size_t i = 1; i < n; ++i)
    if (i != k && out_width(rest[i - 1]) != in_width(rest[i])) return false;
  if (k > 0 && out_width(rest[k - 1]) != h) return false;
  if (k < n && in_width(rest[k]) != latent) return false;
  const int64_t model_in = k > 0 ? in_width(rest[0]) : h;
  return k == n || out_width(rest[n - 1]) == model_in;
}

std::string layer_list(const std::vector<FoundLayer>& layers) {
  std::string text;
  for (size_t i = 0; i < layers.size() && i < 8; ++i)
    text += (i ? ", " : "") + layers[i].name + " (" + std::to_string(in_width(layers[i])) + " -> " +
            std::to_string(out_width(layers[i])) + ")";
  return layers.size() > 8 ? text + ", ..." : text;
}

// Replaces the two heads by one layer [mu; logvar] and puts it where the
// widths say: after the trunk, before the decoder.
bool merge_heads(FoundFile& f, const HeadPair& pair, std::string* error) {
  const FoundLayer& mu = f.layers[pair.mu];
  const FoundLayer& logvar = f.layers[pair.logvar];
  const std::string both = mu.name + " (mu) and " + logvar.name + " (logvar)";
  if (mu.weight.shape != logvar.weight.shape)
    return fail(error, "cannot use " + f.name + ": its VAE heads " + both + " differ in shape (" +
                           std::to_string(out_width(mu)) + "x" + std::to_string(in_width(mu)) + " and " +
                           std::to_string(out_width(logvar)) + "x" + std::to_string(in_width(logvar)) + ")");
  if (mu.act != logvar.act)
    return fail(error, "cannot use " + f.name + ": its VAE heads " + both + " are followed by different activations");
  const int64_t h = in_width(mu), latent = out_width(mu);
  // Checked before any arithmetic or allocation on them.
  if (h < 1 || latent < 1 || h > kMaxLayerWidth || latent > kMaxLayerWidth)
    return fail(error, "cannot use " + f.name + ": its VAE heads " + both + " are " + std::to_string(latent) + "x" +
                           std::to_string(h));
  FoundLayer heads;
  heads.name = mu.name + "+" + logvar.name;
  heads.act = mu.act;
  // Both weights are row-major [L][h]: stacking them is appending.
  heads.weight.shape = {2 * latent, h};
  heads.weight.values = mu.weight.values;
  heads.weight.values.insert(heads.weight.values.end(), logvar.weight.values.begin(), logvar.weight.values.end());
  if (mu.bias || logvar.bias) {  // Linear(bias=False) is zeros
    const auto values = [&](const std::optional<NamedTensor>& b) {
      return b ? b->values : std::vector<float>(latent, 0.0f);
    };
    if ((mu.bias && mu.bias->shape != std::vector<int64_t>{latent}) ||
        (logvar.bias && logvar.bias->shape != std::vector<int64_t>{latent}))
      return fail(error, "cannot use " + f.name + ": the biases of its VAE heads " + both + " do not match their " +
                             std::to_string(latent) + " outputs");
    heads.bias = NamedTensor{heads.name + ".bias", {2 * latent}, values(mu.bias)};
    const std::vector<float> second = values(logvar.bias);
    heads.bias->values.insert(heads.bias->values.end(), second.begin(), second.end());
  }

  std::vector<FoundLayer> rest;
  for (size_t i = 0; i < f.layers.size(); ++i)
    if (i != pair.mu && i != pair.logvar) rest.push_back(std::move(f.layers[i]));
  // Where the trunk ends: by pytorch/examples' numbering (fc1, then fc21 and
  // fc22: the second layer, split) or else where the file puts the heads.
  // Safetensors files sort their names, so fc3 and fc4 can come first.
  size_t k = std::min(pair.mu, pair.logvar);
  if (pair.examples) {
    const std::string second = parent_of(heads.name).empty() ? "fc2" : parent_of(heads.name) + ".fc2";
    k = std::count_if(rest.begin(), rest.end(), [&](const FoundLayer& l) { return natural_less(l.name, second); });
  }
  if (!heads_fit(rest, k, h, latent)) {
    // A layout declared in another order: take the one split that fits, if only one does.
    std::vector<size_t> fits;
    for (size_t j = 0; j <= rest.size(); ++j)
      if (heads_fit(rest, j, h, latent)) fits.push_back(j);
    if (fits.size() != 1)
      return fail(error, "cannot use " + f.name + ": its VAE heads " + both + " read " + std::to_string(h) +
                             " values and give " + std::to_string(latent) + " each, but its other layers (" +
                             layer_list(rest) + ") do not " + (fits.empty() ? "" : "unambiguously ") +
                             "make a trunk ending in " + std::to_string(h) + " values and a decoder taking " +
                             std::to_string(latent));
    k = fits[0];
  }
  rest.insert(rest.begin() + static_cast<std::ptrdiff_t>(k), std::move(heads));
  f.layers = std::move(rest);
  f.heads = static_cast<int>(k);
  f.heads_how = both;
  return true;
}

// --vae-split: the layer whose 2L outputs feed a decoder taking L (or, in an
// encoder saved alone, the last layer) is the heads, mu's rows first.
bool split_heads(FoundFile& f, std::string* error) {
  std::vector<size_t> breaks;  // i where layer i's outputs are not layer i+1's inputs
  for (size_t i = 0; i + 1 < f.layers.size(); ++i)
    if (out_width(f.layers[i]) != in_width(f.layers[i + 1])) breaks.push_back(i);
  int heads = -1;
  if (breaks.size() == 1 && twice(out_width(f.layers[breaks[0]]), in_width(f.layers[breaks[0] + 1])))
    heads = static_cast<int>(breaks[0]);
  else if (breaks.empty() && out_width(f.layers.back()) < in_width(f.layers.front()))
    heads = static_cast<int>(f.layers.size()) - 1;  // an encoder alone: its code layer
  else if (!breaks.empty())
    return fail(error, "cannot use " + f.name + " with --vae-split: its layers " + f.layers[breaks[0]].name +
                           " (" + std::to_string(out_width(f.layers[breaks[0]])) + " outputs) and " +
                           f.layers[breaks[0] + 1].name + " (" + std::to_string(in_width(f.layers[breaks[0] + 1])) +
                           " inputs) do not chain, and the first is not twice as wide as the second takes");
  if (heads < 0) return true;  // a decoder: the heads may be in the other file
  if (out_width(f.layers[heads]) % 2 != 0)
    return fail(error, "cannot use " + f.name + " with --vae-split: its layer " + f.layers[heads].name + " gives " +
                           std::to_string(out_width(f.layers[heads])) + " values, which do not split into two halves");
  f.heads = heads;
  f.heads_how = f.layers[heads].name + " split in halves, mu then logvar (--vae-split)";
  return true;
}

// Why a file whose layers do not chain looks like a VAE LatentPad did not
// recognise, or "" when it does not. Only ever replaces a refusal: layers
// that do not chain never import.
std::string vae_hint(const FoundFile& f) {
  for (size_t i = 0; i + 1 < f.layers.size(); ++i) {
    const FoundLayer &a = f.layers[i], &b = f.layers[i + 1];
    if (out_width(a) == in_width(b)) continue;
    if (a.weight.shape == b.weight.shape)
      return "cannot use " + f.name + ": two layers read the same input (" + a.name + " and " + b.name + ", " +
             std::to_string(in_width(a)) + " -> " + std::to_string(out_width(a)) +
             " each): this looks like a VAE's heads, but their names are not ones LatentPad knows: pass --vae-heads " +
             a.name + "," + b.name + " (the mean's layer first)";
    if (twice(out_width(a), in_width(b)))
      return "cannot use " + f.name + ": its layer " + a.name + " gives " + std::to_string(out_width(a)) +
             " values, but the next, " + b.name + ", takes " + std::to_string(in_width(b)) + ": if " + a.name +
             " is a VAE's mu and logvar heads in one layer (mu's rows first), pass --vae-split";
    return "";
  }
  return "";
}

// Finds and merges a VAE's heads in one file, as the options say.
bool find_heads(FoundFile& f, const ImportOptions& options, std::string* error) {
  std::optional<HeadPair> pair;
  if (!find_named_heads(f, options, &pair, error)) return false;
  if (pair) return merge_heads(f, *pair, error);
  if (options.vae_split) return split_heads(f, error);
  if (options.vae_heads.empty())
    if (std::string hint = vae_hint(f); !hint.empty()) return fail(error, hint);
  return true;
}

// Where a file has no activations and is a VAE's: pytorch/examples' (ReLU
// after every hidden layer, the heads linear, a sigmoid after the decoder's last).
void default_vae_activations(FoundFile& found, bool ends_in_decoder) {
  for (FoundLayer& layer : found.layers) layer.act = Activation::relu;
  if (found.heads >= 0) found.layers[found.heads].act = Activation::identity;
  if (ends_in_decoder) found.layers.back().act = Activation::sigmoid;
}

// --- from layers to nets -------------------------------------------------------

// Checks that the layers chain and turns them into a network.
bool to_mlp(const FoundFile& found, size_t begin, size_t end, Mlp* out, std::string* error) {
  Mlp mlp;
  for (size_t i = begin; i < end; ++i) {
    const FoundLayer& layer = found.layers[i];
    const int64_t rows = layer.weight.shape[0], cols = layer.weight.shape[1];
    if (rows < 1 || cols < 1 || rows > kMaxLayerWidth || cols > kMaxLayerWidth)
      return fail(error, "cannot use " + found.name + ": its layer " + layer.name + " is " + std::to_string(rows) +
                             "x" + std::to_string(cols));
    if (layer.bias && (layer.bias->shape.size() != 1 || layer.bias->shape[0] != rows))
      return fail(error, "cannot use " + found.name + ": the bias of " + layer.name + " does not match its " +
                             std::to_string(rows) + " outputs");
    if (!mlp.layers.empty() && mlp.layers.back().out_size() != cols)
      return fail(error, "cannot use " + found.name + ": its layers do not chain (" + found.layers[i - 1].name +
                             " gives " + std::to_string(mlp.layers.back().out_size()) + " values, " + layer.name +
                             " takes " + std::to_string(cols) + ")");
    Dense dense;
    // Row-major [out][in], as PyTorch keeps nn.Linear.weight.
    dense.weight = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        layer.weight.values.data(), rows, cols);
    if (layer.bias) dense.bias = Eigen::Map<const Eigen::VectorXf>(layer.bias->values.data(), rows);
    else dense.bias = Eigen::VectorXf::Zero(rows);  // Linear(bias=False)
    dense.act = layer.act.value_or(Activation::identity);
    mlp.layers.push_back(std::move(dense));
  }
  *out = std::move(mlp);
  return true;
}

std::string widths(const FoundFile& found) {
  std::string text = std::to_string(found.layers.front().weight.shape[1]);
  for (const FoundLayer& layer : found.layers) text += "-" + std::to_string(layer.weight.shape[0]);
  return text;
}

// Where the code is: after the narrowest layer. Returns the number of encoder
// layers, 0 for a decoder, layers.size() for an encoder, or -1 when the chain
// is no autoencoder part at all.
int split_point(const FoundFile& found) {
  const auto& layers = found.layers;
  const int64_t in = layers.front().weight.shape[1], out = layers.back().weight.shape[0];
  if (out < in) return static_cast<int>(layers.size());
  if (out > in) return 0;
  size_t narrowest = 0;
  for (size_t i = 1; i < layers.size(); ++i)
    if (layers[i].weight.shape[0] < layers[narrowest].weight.shape[0]) narrowest = i;
  if (narrowest + 1 == layers.size() || layers[narrowest].weight.shape[0] >= in) return -1;
  return static_cast<int>(narrowest) + 1;
}

// The tutorial's activations where a file has none: tanh after every layer,
// sigmoid after the decoder's last.
void default_activations(FoundFile& found, bool ends_in_decoder) {
  for (FoundLayer& layer : found.layers) layer.act = Activation::tanh;
  if (ends_in_decoder) found.layers.back().act = Activation::sigmoid;
}

// --- reading one file -------------------------------------------------------------

// A model that a torch file holds, as a chain of layers.
bool layers_from_torch(TorchModel& model, FoundFile* found, std::string* error) {
  if (model.is_module) {
    if (!flatten_module(model.module, "", found, error)) return false;
    if (found->layers.empty()) return fail(error, "it holds no Linear layers");
    // With no activation modules at all, the activations live in forward()
    // (F.relu, torch.tanh ...), which a file does not hold: treat them as unknown.
    found->acts_known = found->act_modules > 0;
    return true;
  }
  return layers_from_tensors(std::move(model.state), false, found, error);
}

// The layers' split as model_import will take it: after a VAE's heads, or after the narrowest layer.
int split_of(const FoundFile& f) { return f.heads >= 0 ? f.heads + 1 : split_point(f); }

// "'model' and 'ema_model'", each key followed by its widths when given.
std::string quoted_keys(const std::vector<std::string>& keys, const std::vector<std::string>& widths = {}) {
  std::string text;
  for (size_t i = 0; i < keys.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == keys.size() ? " and " : ", ") + ("'" + printable(keys[i]) + "'");
    if (i < widths.size()) text += " (" + widths[i] + ")";
  }
  return text;
}

// The model in a checkpoint: the one under --key, the only one that is an
// MLP, or its encoder and decoder saved as two entries. Adds one or two files to *found.
bool choose_model(const ImportFile& file, TorchFile& torch, const ImportOptions& options, std::vector<FoundFile>* found,
                  bool* key_used, std::string* error) {
  const std::string container = std::string("torch.save of a dict") + (torch.legacy ? ", in the legacy format" : "");
  const std::string what_is_read = "; LatentPad reads a whole model, a state_dict, or a dict holding one (a checkpoint)";
  if (torch.models.empty())
    return fail(error, "cannot use " + file.name + ": it holds a dict with no model in it: " + torch.contents +
                           what_is_read);
  struct Candidate {
    std::string key;
    FoundFile found;
    std::string what;     // "the state_dict under 'model_state_dict'"
    std::string failure;  // why it is no model LatentPad runs, or ""
  };
  std::vector<Candidate> candidates;
  std::vector<std::string> all;
  for (const TorchModel& model : torch.models) all.push_back(model.key);
  for (TorchModel& model : torch.models) {
    if (!options.key.empty() && model.key != options.key) continue;
    Candidate c;
    c.key = model.key;
    const std::string key = printable(model.key);
    c.found.name = file.name + "['" + key + "']";
    c.what = (model.is_module ? printable(model.module.type) : std::string("the state_dict")) + " under '" + key + "'";
    c.found.description = container + "; " + c.what;
    c.found.source = file.name + " (" + c.found.description + ")";
    std::string reason;
    if (!layers_from_torch(model, &c.found, &reason)) c.failure = "cannot use " + c.found.name + ": " + reason;
    else if (!find_heads(c.found, options, &reason)) c.failure = reason;
    candidates.push_back(std::move(c));
  }
  if (!options.key.empty()) {
    if (candidates.empty())
      return fail(error, "cannot use " + file.name + ": --key " + printable(options.key) + ": it holds no model under '" +
                             printable(options.key) + "'; it holds " + (all.size() == 1 ? "one" : "models") +
                             " under " + quoted_keys(all));
    *key_used = true;
    if (!candidates[0].failure.empty()) return fail(error, candidates[0].failure);
    found->push_back(std::move(candidates[0].found));
    return true;
  }
  std::vector<Candidate*> usable;
  for (Candidate& c : candidates)
    if (c.failure.empty()) usable.push_back(&c);
  if (usable.empty()) return fail(error, candidates[0].failure);
  if (usable.size() == 1) {
    found->push_back(std::move(usable[0]->found));
    return true;
  }
  // An encoder and a decoder saved as two entries: one model.
  if (usable.size() == 2) {
    const auto part = [](const FoundFile& f) {
      const int split = split_of(f);
      return split == static_cast<int>(f.layers.size()) ? 1 : split == 0 ? 2 : 0;  // 1 encoder, 2 decoder
    };
    Candidate* enc = usable[0];
    Candidate* dec = usable[1];
    if (part(enc->found) == 2) std::swap(enc, dec);
    if (part(enc->found) == 1 && part(dec->found) == 2) {
      const bool dicts = enc->what.rfind("the state_dict ", 0) == 0 && dec->what.rfind("the state_dict ", 0) == 0;
      enc->found.source = file.name + " (" + container + "; " +
                          (dicts ? "the state_dicts under " + quoted_keys({enc->key, dec->key})
                                 : enc->what + " and " + dec->what) + ")";
      dec->found.source.clear();
      found->push_back(std::move(enc->found));
      found->push_back(std::move(dec->found));
      return true;
    }
  }
  std::vector<std::string> listed, shapes;
  for (const Candidate* c : usable) {
    listed.push_back(c->key);
    shapes.push_back(widths(c->found));
  }
  static const char* const kCounts[] = {"", "one", "two", "three", "four"};
  const std::string count = usable.size() < 5 ? kCounts[usable.size()] : std::to_string(usable.size());
  return fail(error, "cannot use " + file.name + ": it holds " + count + " models, under " +
                         quoted_keys(listed, shapes) + "; choose one with --key NAME");
}

// One file: its model, or its encoder and its decoder (a checkpoint may hold both).
bool read_file(const ImportFile& file, const ImportOptions& options, std::vector<FoundFile>* found, bool* key_used,
               std::string* error) {
  FoundFile f;
  f.name = file.name;
  const std::string refusing = "refusing " + file.name + ": ";
  std::string reason;
  if (zip_signature(file.data, file.size) || torch_legacy_signature(file.data, file.size)) {
    TorchFile torch;
    if (!torch_file_read(file.data, file.size, &torch, &reason)) return fail(error, refusing + reason);
    if (torch.checkpoint) return choose_model(file, torch, options, found, key_used, error);
    TorchModel& model = torch.models[0];
    f.description = (model.is_module ? "torch.save of " + model.module.type : std::string("torch.save of a state_dict")) +
                    (torch.legacy ? ", in the legacy format" : "");
    if (!layers_from_torch(model, &f, &reason)) return fail(error, "cannot use " + file.name + ": " + reason);
  } else if (safetensors_signature(file.data, file.size)) {
    Safetensors st;
    if (!safetensors_read(file.data, file.size, &st, &reason)) return fail(error, refusing + reason);
    f.description = "safetensors";
    if (!layers_from_tensors(std::move(st.tensors), true, &f, &reason))
      return fail(error, "cannot use " + file.name + ": " + reason);
    // LatentPad's own export names the activations and, for a VAE, says so.
    const auto acts = st.metadata.find("latentpad.activations");
    if (acts != st.metadata.end() && !activation_list_parse(acts->second, &f.listed_acts)) f.listed_acts.clear();
    const auto kind = st.metadata.find("latentpad.model_kind");
    f.says_vae = kind != st.metadata.end() && kind->second == model_kind_name(ModelKind::vae);
  } else if (model_file_signature(file.data, file.size)) {
    return fail(error, file.name + " is already a LatentPad model file; use it as it is");
  } else {
    return fail(error, refusing + "it is neither a torch.save file nor a safetensors file");
  }
  if (!find_heads(f, options, error)) return false;
  f.source = f.name + " (" + f.description + ")";
  found->push_back(std::move(f));
  return true;
}

}  // namespace

bool activation_list_parse(const std::string& text, std::vector<Activation>* out) {
  std::vector<Activation> list;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    Activation act;
    if (!activation_parse(text.substr(start, end - start), &act)) return false;
    list.push_back(act);
    start = end + 1;
  }
  *out = std::move(list);
  return true;
}

bool model_import(const std::vector<ImportFile>& files, const ImportOptions& options, ModelFile* out,
                  std::string* error) {
  if (files.empty() || files.size() > 2) return fail(error, "import takes one file, or an encoder and a decoder");
  if (!options.vae_heads.empty() &&
      (options.vae_heads.size() != 2 || options.vae_heads[0].empty() || options.vae_heads[0] == options.vae_heads[1]))
    return fail(error, "--vae-heads takes two different layer names, mu's then logvar's");
  std::vector<FoundFile> found;
  bool key_used = false;
  for (const ImportFile& file : files)
    if (!read_file(file, options, &found, &key_used, error)) return false;
  if (!options.key.empty() && !key_used)
    return fail(error, "--key " + options.key + ": " +
                           (files.size() == 1 ? files[0].name + " is" : files[0].name + " and " + files[1].name + " are") +
                           " not a dict holding models (a checkpoint)");
  if (found.size() > 2)
    return fail(error, "cannot combine " + files[0].name + " and " + files[1].name +
                           ": together they hold more than an encoder and a decoder");

  // A VAE when a file has its heads; a VAE's decoder alone only says so in LatentPad's own metadata.
  const bool heads = std::any_of(found.begin(), found.end(), [](const FoundFile& f) { return f.heads >= 0; });
  if (!heads && (options.vae_split || !options.vae_heads.empty()))
    return fail(error, "cannot use " + (files.size() == 1 ? files[0].name : files[0].name + " + " + files[1].name) +
                           ": " + (options.vae_split ? "--vae-split finds no layer twice as wide as the decoder's input"
                                                     : "--vae-heads names " + options.vae_heads[0] + " and " +
                                                           options.vae_heads[1] + ", which it does not hold") +
                           "; its layers are " + layer_list(found[0].layers));
  const bool vae = heads || (found.size() == 1 && found[0].says_vae && split_point(found[0]) == 0);

  // Activations for files that carry none: from the options, across the files in order, or the tutorial's.
  size_t total = 0;
  for (const FoundFile& f : found) total += f.layers.size();
  // --activations overrides whatever the files say (a module file's
  // classes can miss activations its forward() applies).
  if (!options.activations.empty()) {
    if (options.activations.size() != total)
      return fail(error, "--activations lists " + std::to_string(options.activations.size()) + " activations, but " +
                             "the Linear layers number " + std::to_string(total) +
                             (heads ? " (the VAE's mu and logvar heads count as one)" : ""));
    size_t next = 0;
    for (FoundFile& f : found)
      for (FoundLayer& layer : f.layers) layer.act = options.activations[next++];
  }
  std::string source, activations, heads_how;
  for (FoundFile& f : found) {
    const int split = f.split = split_of(f);
    if (split < 0)
      return fail(error, "cannot use " + f.name + ": its layers (" + widths(f) +
                             ") are not an autoencoder, an encoder or a decoder: no layer is narrower than the input");
    const bool ends_in_decoder = split < static_cast<int>(f.layers.size());
    // LatentPad's own export lists its activations, the heads counted as one.
    if (options.activations.empty() && !f.acts_known && f.listed_acts.size() == f.layers.size()) {
      for (size_t i = 0; i < f.layers.size(); ++i) f.layers[i].act = f.listed_acts[i];
      f.acts_known = true;
    }
    const char* acts = "from the file";
    if (!options.activations.empty()) {
      acts = "from --activations";
    } else if (!f.acts_known && vae) {
      default_vae_activations(f, ends_in_decoder);
      acts = "pytorch/examples' VAE's, relu with a sigmoid output (the file has none)";
    } else if (!f.acts_known) {
      default_activations(f, ends_in_decoder);
      acts = "the tutorial's (the file has none)";
    }
    if (!f.source.empty()) source += (source.empty() ? "" : " + ") + f.source;
    // A checkpoint's two halves (the decoder's source is its encoder's) say it once when they agree.
    if (!f.source.empty() || activations.size() < std::strlen(acts) ||
        activations.compare(activations.size() - std::strlen(acts), std::string::npos, acts) != 0)
      activations += (activations.empty() ? "" : " + ") + std::string(acts);
    if (f.heads >= 0) heads_how = f.heads_how;
  }

  ModelFile result;
  result.model.kind = vae ? ModelKind::vae : ModelKind::autoencoder;
  if (found.size() == 1) {
    const FoundFile& f = found[0];
    const int split = f.split;
    const int count = static_cast<int>(f.layers.size());
    result.parts = split == count ? ModelParts::encoder : split == 0 ? ModelParts::decoder : ModelParts::both;
    if (split > 0 && !to_mlp(f, 0, split, &result.model.encoder, error)) return false;
    if (split < count && !to_mlp(f, split, count, &result.model.decoder, error)) return false;
  } else {
    // An encoder and a decoder saved apart, in either order.
    const auto encodes = [](const FoundFile& f) { return f.split == static_cast<int>(f.layers.size()); };
    const bool first_encodes = encodes(found[0]);
    if (first_encodes == encodes(found[1]) || found[first_encodes ? 1 : 0].split != 0)
      return fail(error, "cannot combine " + found[0].name + " (" + widths(found[0]) + ") and " + found[1].name +
                             " (" + widths(found[1]) + "): two files must be an encoder and a decoder");
    const FoundFile& enc = found[first_encodes ? 0 : 1];
    const FoundFile& dec = found[first_encodes ? 1 : 0];
    if (!to_mlp(enc, 0, enc.layers.size(), &result.model.encoder, error) ||
        !to_mlp(dec, 0, dec.layers.size(), &result.model.decoder, error))
      return false;
    if (std::string problem = autoencoder_check(result.model); !problem.empty())
      return fail(error, "cannot combine " + enc.name + " and " + dec.name + ": " + problem);
    result.parts = ModelParts::both;
  }
  result.meta["source"] = source;
  result.meta["activations"] = activations;
  if (!heads_how.empty()) result.meta["vae_heads"] = heads_how;

  // The result must be a model file LatentPad itself accepts.
  ModelFile checked;
  const std::vector<uint8_t> bytes = model_file_encode(result);
  std::string problem;
  if (!model_file_decode(bytes.data(), bytes.size(), &checked, &problem))
    return fail(error, "cannot use " + (files.size() == 1 ? files[0].name : files[0].name + " + " + files[1].name) +
                           ": " + problem);
  *out = std::move(checked);
  return true;
}

namespace {

// pytorch/examples' VAE: fc1 (+ReLU), the heads fc21 and fc22, fc3 (+ReLU), fc4 (+sigmoid).
bool examples_shape(const ModelFile& file) {
  return file.model.is_vae() && file.parts == ModelParts::both && file.model.encoder.layers.size() == 2 &&
         file.model.decoder.layers.size() == 2;
}

// One Dense as a Linear's two tensors, rows [begin, end) of it.
void add_linear(Safetensors& st, const Dense& layer, const std::string& name, int begin, int end) {
  const int rows = end - begin, cols = layer.in_size();
  NamedTensor weight{name + ".weight", {rows, cols}, std::vector<float>(static_cast<size_t>(rows) * cols)};
  // Row-major [out][in], as PyTorch keeps nn.Linear.weight.
  Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(weight.values.data(), rows, cols) =
      layer.weight.middleRows(begin, rows);
  NamedTensor bias{name + ".bias", {rows}, {layer.bias.data() + begin, layer.bias.data() + end}};
  st.tensors.push_back(std::move(weight));
  st.tensors.push_back(std::move(bias));
}

}  // namespace

ExportNames export_names(const ModelFile& file) {
  if (!file.model.is_vae()) return ExportNames::tutorial;
  return examples_shape(file) ? ExportNames::vae_examples : ExportNames::vae;
}

bool examples_activations(const ModelFile& file) {
  if (!examples_shape(file)) return false;
  const auto& enc = file.model.encoder.layers;
  const auto& dec = file.model.decoder.layers;
  return enc[0].act == Activation::relu && enc[1].act == Activation::identity && dec[0].act == Activation::relu &&
         dec[1].act == Activation::sigmoid;
}

Safetensors model_to_safetensors(const ModelFile& file) {
  Safetensors st;
  std::string acts;
  // Layers [begin, end) of a net as an nn.Sequential under prefix: a Linear,
  // then its activation module if any, each taking the next index.
  const auto add_net = [&](const Mlp& net, const std::string& prefix, size_t begin, size_t end) {
    int index = 0;
    for (size_t i = begin; i < end; ++i) {
      const Dense& layer = net.layers[i];
      add_linear(st, layer, prefix + std::to_string(index), 0, layer.out_size());
      index += layer.act == Activation::identity ? 1 : 2;
      acts += (acts.empty() ? "" : ",") + std::string(activation_name(layer.act));
    }
  };
  // A VAE's heads as two Linear layers, mu's rows then logvar's; one activation (identity) in the list.
  const auto add_heads = [&](const Dense& heads, const char* mu, const char* logvar) {
    const int latent = heads.out_size() / 2;
    add_linear(st, heads, mu, 0, latent);
    add_linear(st, heads, logvar, latent, 2 * latent);
    acts += (acts.empty() ? "" : ",") + std::string(activation_name(heads.act));
  };
  const Mlp& enc = file.model.encoder;
  const Mlp& dec = file.model.decoder;
  switch (export_names(file)) {
    // The tutorial's names: AutoEncoder.encoder is an Encoder whose .encoder is
    // the nn.Sequential; an Encoder saved alone starts one level down.
    case ExportNames::tutorial:
      switch (file.parts) {
        case ModelParts::both:
          add_net(enc, "encoder.encoder.", 0, enc.layers.size());
          add_net(dec, "decoder.decoder.", 0, dec.layers.size());
          break;
        case ModelParts::encoder: add_net(enc, "encoder.", 0, enc.layers.size()); break;
        case ModelParts::decoder: add_net(dec, "decoder.", 0, dec.layers.size()); break;
      }
      break;
    case ExportNames::vae_examples:
      add_linear(st, enc.layers[0], "fc1", 0, enc.layers[0].out_size());
      acts += activation_name(enc.layers[0].act);
      add_heads(enc.layers[1], "fc21", "fc22");
      add_linear(st, dec.layers[0], "fc3", 0, dec.layers[0].out_size());
      add_linear(st, dec.layers[1], "fc4", 0, dec.layers[1].out_size());
      acts += "," + std::string(activation_name(dec.layers[0].act)) + "," + activation_name(dec.layers[1].act);
      break;
    case ExportNames::vae:
      // The trunk as nn.Sequential `encoder`, the heads `mu` and `logvar`, the decoder as nn.Sequential `decoder`.
      if (file.parts != ModelParts::decoder) {
        add_net(enc, "encoder.", 0, enc.layers.size() - 1);
        add_heads(enc.layers.back(), "mu", "logvar");
      }
      if (file.parts != ModelParts::encoder) add_net(dec, "decoder.", 0, dec.layers.size());
      break;
  }
  st.metadata["format"] = "pt";
  st.metadata["latentpad.kind"] = model_parts_name(file.parts);
  if (file.model.is_vae()) st.metadata["latentpad.model_kind"] = model_kind_name(file.model.kind);
  st.metadata["latentpad.activations"] = acts;
  return st;
}

}  // namespace lp
