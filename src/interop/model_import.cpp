#include "interop/model_import.h"

#include <algorithm>
#include <cctype>
#include <optional>

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
  std::string name;
  std::string description;  // for the metadata: "torch.save of __main__.AutoEncoder"
  std::vector<FoundLayer> layers;
  int split = 0;            // layers before the code: see split_point
  bool acts_known = false;  // from module classes or LatentPad's own metadata
  int act_modules = 0;      // activation modules met in a module tree
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

// --- reading one file -------------------------------------------------------------

bool read_file(const ImportFile& file, FoundFile* found, std::string* error) {
  found->name = file.name;
  const std::string refusing = "refusing " + file.name + ": ";
  std::string reason;
  if (zip_signature(file.data, file.size)) {
    TorchFile torch;
    if (!torch_file_read(file.data, file.size, &torch, &reason)) return fail(error, refusing + reason);
    if (torch.is_module) {
      found->description = "torch.save of " + torch.module.type;
      if (!flatten_module(torch.module, "", found, &reason)) return fail(error, "cannot use " + file.name + ": " + reason);
      if (found->layers.empty()) return fail(error, "cannot use " + file.name + ": it holds no Linear layers");
      // With no activation modules at all, the activations live in forward()
      // (F.relu, torch.tanh ...), which a file does not hold: treat them as unknown.
      found->acts_known = found->act_modules > 0;
      return true;
    }
    found->description = "torch.save of a state_dict";
    if (!layers_from_tensors(std::move(torch.state), false, found, &reason))
      return fail(error, "cannot use " + file.name + ": " + reason);
    return true;
  }
  if (safetensors_signature(file.data, file.size)) {
    Safetensors st;
    if (!safetensors_read(file.data, file.size, &st, &reason)) return fail(error, refusing + reason);
    found->description = "safetensors";
    if (!layers_from_tensors(std::move(st.tensors), true, found, &reason))
      return fail(error, "cannot use " + file.name + ": " + reason);
    // LatentPad's own export names the activations.
    const auto acts = st.metadata.find("latentpad.activations");
    std::vector<Activation> list;
    if (acts != st.metadata.end() && activation_list_parse(acts->second, &list) && list.size() == found->layers.size()) {
      for (size_t i = 0; i < list.size(); ++i) found->layers[i].act = list[i];
      found->acts_known = true;
    }
    return true;
  }
  if (model_file_signature(file.data, file.size))
    return fail(error, file.name + " is already a LatentPad model file; use it as it is");
  if (torch_legacy_signature(file.data, file.size))
    return fail(error, refusing + "it is in torch.save's legacy format (PyTorch before 1.6); load it with " +
                           "PyTorch and save it again, or save its state_dict with safetensors");
  return fail(error, refusing + "it is neither a torch.save archive nor a safetensors file");
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
  std::vector<FoundFile> found(files.size());
  for (size_t i = 0; i < files.size(); ++i)
    if (!read_file(files[i], &found[i], error)) return false;

  // Activations for files that carry none: from the options, across the files in order, or the tutorial's.
  size_t total = 0;
  for (const FoundFile& f : found) total += f.layers.size();
  // --activations overrides whatever the files say (a module file's
  // classes can miss activations its forward() applies).
  if (!options.activations.empty()) {
    if (options.activations.size() != total)
      return fail(error, "--activations lists " + std::to_string(options.activations.size()) + " activations, but " +
                             "the Linear layers number " + std::to_string(total));
    size_t next = 0;
    for (FoundFile& f : found)
      for (FoundLayer& layer : f.layers) layer.act = options.activations[next++];
  }
  std::string source, activations;
  for (FoundFile& f : found) {
    const int split = f.split = split_point(f);
    if (split < 0)
      return fail(error, "cannot use " + f.name + ": its layers (" + widths(f) +
                             ") are not an autoencoder, an encoder or a decoder: no layer is narrower than the input");
    const char* acts = "from the file";
    if (!options.activations.empty()) {
      acts = "from --activations";
    } else if (!f.acts_known) {
      default_activations(f, split < static_cast<int>(f.layers.size()));
      acts = "the tutorial's (the file has none)";
    }
    source += (source.empty() ? "" : " + ") + f.name + " (" + f.description + ")";
    activations += (activations.empty() ? "" : " + ") + std::string(acts);
  }

  ModelFile result;
  if (found.size() == 1) {
    const FoundFile& f = found[0];
    const int split = f.split;
    const int count = static_cast<int>(f.layers.size());
    result.kind = split == count ? ModelKind::encoder : split == 0 ? ModelKind::decoder : ModelKind::autoencoder;
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
    result.kind = ModelKind::autoencoder;
  }
  result.meta["source"] = source;
  result.meta["activations"] = activations;

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

Safetensors model_to_safetensors(const ModelFile& file) {
  Safetensors st;
  std::string acts;
  const auto add_net = [&](const Mlp& net, const std::string& prefix) {
    int index = 0;  // the nn.Sequential index: a Linear, then its activation module if any
    for (const Dense& layer : net.layers) {
      const std::string base = prefix + std::to_string(index) + ".";
      NamedTensor weight{base + "weight", {layer.out_size(), layer.in_size()}, {}};
      weight.values.resize(layer.weight.size());
      Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          weight.values.data(), layer.out_size(), layer.in_size()) = layer.weight;
      NamedTensor bias{base + "bias", {layer.out_size()}, {layer.bias.data(), layer.bias.data() + layer.bias.size()}};
      st.tensors.push_back(std::move(weight));
      st.tensors.push_back(std::move(bias));
      index += layer.act == Activation::identity ? 1 : 2;
      acts += (acts.empty() ? "" : ",") + std::string(activation_name(layer.act));
    }
  };
  // The tutorial's names: AutoEncoder.encoder is an Encoder whose .encoder is
  // the nn.Sequential; an Encoder saved alone starts one level down.
  switch (file.kind) {
    case ModelKind::autoencoder:
      add_net(file.model.encoder, "encoder.encoder.");
      add_net(file.model.decoder, "decoder.decoder.");
      break;
    case ModelKind::encoder: add_net(file.model.encoder, "encoder."); break;
    case ModelKind::decoder: add_net(file.model.decoder, "decoder."); break;
  }
  st.metadata["format"] = "pt";
  st.metadata["latentpad.kind"] = model_kind_name(file.kind);
  st.metadata["latentpad.activations"] = acts;
  return st;
}

}  // namespace lp
