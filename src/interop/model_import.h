// Other frameworks' model files in and out of LatentPad's own format.
//
// In: torch.save files, zip or legacy (a whole nn.Module, an encoder and a
// decoder saved apart, a state_dict, or a training checkpoint dict holding
// one: interop/torch_file.h) and safetensors files become one ModelFile. The
// architecture is inferred: layer sizes from the weight shapes, activations
// from the module classes (a state_dict has none: they default to the
// tutorial's, or come from ImportOptions). The layers must chain into an
// autoencoder, an encoder or a decoder that LatentPad can run.
//
// Variational autoencoders are MLPs whose encoder ends in two Linear heads,
// mu and logvar, reading the same input. They are recognised by the heads'
// names (pytorch/examples' fc21/fc22, fc_mu/fc_logvar, fc_mu/fc_var,
// mu/log_var, mu/logvar, under one parent module), or by ImportOptions'
// vae_heads or vae_split, and stored as LatentPad stores VAEs: one layer
// [mu; logvar] (nn/autoencoder.h). Without activations in the file they
// default to pytorch/examples' VAE's (ReLU, linear heads, sigmoid output).
//
// Out: a ModelFile's parameters under names PyTorch modules use, so
// load_state_dict takes them: see ExportNames.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "formats/model_file.h"
#include "interop/safetensors.h"

namespace lp {

struct ImportFile {
  std::string name;  // as the user knows it; every message names it
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct ImportOptions {
  // One per Linear layer, encoder first, overriding what the files say. Empty:
  // a module file's own activation classes, LatentPad's safetensors metadata,
  // or else the tutorial's (tanh after every layer, sigmoid after the
  // decoder's last), as for a state_dict.
  // A VAE's heads count as one layer here, and it must be identity.
  std::vector<Activation> activations;
  // Empty, or the layer names (as the file has them: "encoder.mean") of a
  // VAE's mu and logvar heads, in that order, for names LatentPad does not know.
  std::vector<std::string> vae_heads;
  // The encoder's last layer is a VAE's two heads in one, 2L outputs wide:
  // mu's L rows, then logvar's. Nothing in a file says so.
  bool vae_split = false;
  // The key of the model in a checkpoint dict that holds several, as the
  // import's refusal lists them ("ema_model"; nested dicts' keys joined by
  // '.'). Empty: the only model in it, or its encoder and decoder saved as two entries.
  std::string key;
};

// One file, or an encoder and a decoder in either order. On failure *error is
// one sentence, such as "refusing mode.pth: it asks to call posix.system; a
// model file never needs that", and *out is untouched. out->meta gets
// "source" and "activations" (where they came from), and "vae_heads" (which
// layers were a VAE's heads) for a VAE.
bool model_import(const std::vector<ImportFile>& files, const ImportOptions& options, ModelFile* out,
                  std::string* error);

// "tanh,tanh,sigmoid" -> activations; false on an unknown name.
bool activation_list_parse(const std::string& text, std::vector<Activation>* out);

// How model_to_safetensors names a model's parameters (X.weight [out, in] and
// X.bias [out] for each layer X).
enum class ExportNames {
  // An autoencoder: the tutorial's AutoEncoder, encoder.encoder.0, .2, ...,
  // decoder.decoder.0, ... (encoder.N or decoder.N for one half alone).
  tutorial,
  // A VAE of pytorch/examples' shape, both halves with two layers each (fc1,
  // the heads; fc3, fc4): its names fc1, fc21 (mu), fc22 (logvar), fc3, fc4.
  vae_examples,
  // Any other VAE: the trunk as an nn.Sequential `encoder` (encoder.0, and
  // after an activation module the next Linear is encoder.2, ...), the heads
  // `mu` and `logvar`, the decoder as an nn.Sequential `decoder` (decoder.0, ...).
  vae,
};
ExportNames export_names(const ModelFile& file);
// True when file is of pytorch/examples' VAE shape and its activations are
// that model's too (relu, linear heads, relu, sigmoid), so its VAE class runs
// it as LatentPad does.
bool examples_activations(const ModelFile& file);

// The model's parameters named as export_names says, with its activations
// (one per LatentPad layer: a VAE's heads count once), the halves it holds
// and, for a VAE, its kind in the metadata, so model_import reads it back bit
// for bit.
Safetensors model_to_safetensors(const ModelFile& file);

}  // namespace lp
