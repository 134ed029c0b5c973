#include "interop/onnx_export.h"

#include <onnx/onnx_pb.h>

#include <cstring>

namespace lp {
namespace {

// One graph under construction, with the names of its tensors.
class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  // A float32 graph input or output of shape [batch, width], batch dynamic.
  void add_input(const std::string& name, int width) { describe(graph_->add_input(), name, width); }
  void add_output(const std::string& name, int width) { describe(graph_->add_output(), name, width); }

  // The rows [row0, row0 + rows) of a layer's W [out, in] and b as
  // initializers "<name>.weight" [rows, in] and "<name>.bias" [rows], then
  // Gemm(input) and the activation. The last node writes `output`.
  void add_layer(const Dense& layer, int row0, int rows, const std::string& name, const std::string& input,
                 const std::string& output) {
    const std::string weight = name + ".weight", bias = name + ".bias";
    add_weight(layer, row0, rows, weight);
    add_bias(layer, row0, rows, bias);
    const bool has_act = layer.act != Activation::identity;
    const std::string linear = has_act ? name + ".linear" : output;
    onnx::NodeProto* gemm = add_node("Gemm", name + ".gemm", {input, weight, bias}, linear);
    // y = x W^T + b: W stays [out, in] as stored (and as PyTorch's Linear has it).
    onnx::AttributeProto* trans_b = gemm->add_attribute();
    trans_b->set_name("transB");
    trans_b->set_type(onnx::AttributeProto::INT);
    trans_b->set_i(1);
    if (has_act) add_node(op_type(layer.act), name + "." + activation_name(layer.act), {linear}, output);
  }

  // Every layer of `mlp` named "<prefix>.<i>", from `input` to `output`. A
  // VAE encoder's last layer, the heads, is left out when `skip_last`.
  // Returns the name of the last tensor written.
  std::string add_mlp(const Mlp& mlp, const std::string& prefix, const std::string& input,
                      const std::string& output, bool skip_last = false) {
    const size_t count = mlp.layers.size() - (skip_last ? 1 : 0);
    std::string current = input;
    for (size_t i = 0; i < count; ++i) {
      const std::string name = prefix + "." + std::to_string(i);
      const std::string next = i + 1 == count && !skip_last ? output : name + ".out";
      add_layer(mlp.layers[i], 0, mlp.layers[i].out_size(), name, current, next);
      current = next;
    }
    return current;
  }

 private:
  static const char* op_type(Activation act) {
    switch (act) {
      case Activation::tanh: return "Tanh";
      case Activation::sigmoid: return "Sigmoid";
      case Activation::relu: return "Relu";
      case Activation::identity: break;
    }
    return "Identity";  // not reached: identity layers get no node
  }

  void describe(onnx::ValueInfoProto* value, const std::string& name, int width) {
    value->set_name(name);
    onnx::TypeProto_Tensor* tensor = value->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* shape = tensor->mutable_shape();
    shape->add_dim()->set_dim_param("batch");
    shape->add_dim()->set_dim_value(width);
  }

  onnx::NodeProto* add_node(const char* op, const std::string& name, const std::vector<std::string>& inputs,
                            const std::string& output) {
    onnx::NodeProto* node = graph_->add_node();
    node->set_op_type(op);
    node->set_name(name);
    for (const std::string& in : inputs) node->add_input(in);
    node->add_output(output);
    return node;
  }

  // raw_data holds little-endian float32 (ONNX's rule), which is this
  // machine's order: the bytes are the model's floats, bit for bit.
  onnx::TensorProto* add_tensor(const std::string& name, std::vector<int64_t> dims, const std::vector<float>& v) {
    onnx::TensorProto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    return t;
  }

  void add_weight(const Dense& layer, int row0, int rows, const std::string& name) {
    // Row-major [rows, in]; Eigen stores the matrix column-major.
    const int in = layer.in_size();
    std::vector<float> v;
    v.reserve(static_cast<size_t>(rows) * in);
    for (int r = row0; r < row0 + rows; ++r)
      for (int c = 0; c < in; ++c) v.push_back(layer.weight(r, c));
    add_tensor(name, {rows, in}, v);
  }

  void add_bias(const Dense& layer, int row0, int rows, const std::string& name) {
    add_tensor(name, {rows}, std::vector<float>(layer.bias.data() + row0, layer.bias.data() + row0 + rows));
  }

  onnx::GraphProto* graph_;
};

// "784-256 tanh-2 tanh": the half's widths, each after its layer's activation.
std::string layers_text(const Mlp& mlp) {
  std::string s = std::to_string(mlp.layers.front().in_size());
  for (const Dense& layer : mlp.layers)
    s += "-" + std::to_string(layer.out_size()) + " " + activation_name(layer.act);
  return s;
}

void add_meta(onnx::ModelProto* model, const std::string& key, const std::string& value) {
  onnx::StringStringEntryProto* entry = model->add_metadata_props();
  entry->set_key(key);
  entry->set_value(value);
}

// The whole ModelProto; onnx_encode's errors.
bool build_model(const ModelFile& file, onnx::ModelProto* out, std::string* error) {
  const Mlp* encoder = file.encoder();
  const Mlp* decoder = file.decoder();
  if ((encoder && encoder->layers.empty()) || (decoder && decoder->layers.empty())) {
    *error = "cannot export to ONNX: the model file says it holds a half that has no layers";
    return false;
  }
  const bool vae = file.model.is_vae();
  if (vae && encoder) {
    const Dense& heads = encoder->layers.back();
    if (heads.out_size() % 2 != 0 || heads.act != Activation::identity) {
      *error = "cannot export to ONNX: a VAE's encoder must end in the linear [mu; logvar] heads";
      return false;
    }
  }
  const int latent = encoder ? encoder->layers.back().out_size() / (vae ? 2 : 1) : decoder->layers.front().in_size();

  onnx::ModelProto& model = *out;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("latentpad");
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");  // the default domain: ai.onnx
  opset->set_version(kOnnxOpset);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name(std::string("latentpad ") + model_kind_name(file.model.kind) +
                  (file.parts == ModelParts::both ? "" : std::string(" ") + model_parts_name(file.parts)));
  GraphBuilder g(graph);

  if (encoder) {
    g.add_input("x", encoder->layers.front().in_size());
    if (!vae) {
      // "code" is the graph's output, or in a whole model the decoder's input.
      g.add_mlp(*encoder, "encoder", "x", "code");
      if (!decoder) g.add_output("code", latent);
    } else {
      // The heads [mu; logvar] as two Gemms over the trunk's output rather
      // than one Gemm and a Split: each head keeps a weight of its own,
      // shaped and named as PyTorch's VAE has it (fc21/fc22; the safetensors
      // export's mu and logvar), and both outputs are named by the node that
      // makes them, at the same cost.
      const std::string trunk = encoder->layers.size() > 1 ? g.add_mlp(*encoder, "encoder", "x", "", true) : "x";
      const Dense& heads = encoder->layers.back();
      g.add_layer(heads, 0, latent, "mu", trunk, "mu");
      g.add_layer(heads, latent, latent, "logvar", trunk, "logvar");
      g.add_output("mu", latent);
      g.add_output("logvar", latent);
    }
  }
  if (decoder) {
    const int width = decoder->layers.back().out_size();
    if (encoder) {
      // A whole model reconstructs; a VAE decodes its mean, deterministically.
      g.add_mlp(*decoder, "decoder", vae ? "mu" : "code", "reconstruction");
      g.add_output("reconstruction", width);
    } else {
      g.add_input("code", latent);
      g.add_mlp(*decoder, "decoder", "code", "image");
      g.add_output("image", width);
    }
  }

  // ONNX wants metadata keys unique: the structure's keys are ours alone.
  for (const auto& [key, value] : file.meta)
    if (key.rfind("latentpad.", 0) != 0) add_meta(&model, key, value);
  add_meta(&model, "latentpad.kind", model_kind_name(file.model.kind));
  add_meta(&model, "latentpad.part", file.parts == ModelParts::both ? "whole" : model_parts_name(file.parts));
  add_meta(&model, "latentpad.latent", std::to_string(latent));
  add_meta(&model, "latentpad.layers", encoder && decoder ? layers_text(*encoder) + " | " + layers_text(*decoder)
                                       : encoder          ? layers_text(*encoder)
                                                          : layers_text(*decoder));

  return true;
}

std::string value_text(const onnx::ValueInfoProto& value) {
  std::string s = value.name() + " [";
  const onnx::TensorShapeProto& shape = value.type().tensor_type().shape();
  for (int i = 0; i < shape.dim_size(); ++i) {
    const onnx::TensorShapeProto_Dimension& dim = shape.dim(i);
    s += (i ? ", " : "") + (dim.has_dim_param() ? dim.dim_param() : std::to_string(dim.dim_value()));
  }
  return s + "]";
}

}  // namespace

bool onnx_encode(const ModelFile& file, std::vector<uint8_t>* out, std::string* error) {
  onnx::ModelProto model;
  if (!build_model(file, &model, error)) return false;
  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    *error = "cannot export to ONNX: protobuf could not serialise the model (above its 2 GB limit?)";
    return false;
  }
  out->assign(bytes.begin(), bytes.end());
  return true;
}

std::string onnx_signature(const ModelFile& file) {
  onnx::ModelProto model;
  std::string error;
  if (!build_model(file, &model, &error)) return error;
  std::string s;
  for (const onnx::ValueInfoProto& in : model.graph().input()) s += (s.empty() ? "" : ", ") + value_text(in);
  s += " ->";
  for (int i = 0; i < model.graph().output_size(); ++i)
    s += (i ? ", " : " ") + value_text(model.graph().output(i));
  return s;
}

}  // namespace lp
