// Other frameworks' model files in and out of LatentPad's own format.
//
// In: torch.save archives (a whole nn.Module, an encoder and a decoder saved
// apart, or a state_dict) and safetensors files become one ModelFile. The
// architecture is inferred: layer sizes from the weight shapes, activations
// from the module classes (a state_dict has none: they default to the
// tutorial's, or come from ImportOptions). The layers must chain into an
// autoencoder, an encoder or a decoder that LatentPad can run.
//
// Out: a ModelFile's parameters under the tutorial's names
// (encoder.encoder.0.weight ...), so PyTorch's load_state_dict takes them.
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
  std::vector<Activation> activations;
};

// One file, or an encoder and a decoder in either order. On failure *error is
// one sentence, such as "refusing mode.pth: it asks to call posix.system; a
// model file never needs that", and *out is untouched.
bool model_import(const std::vector<ImportFile>& files, const ImportOptions& options, ModelFile* out,
                  std::string* error);

// "tanh,tanh,sigmoid" -> activations; false on an unknown name.
bool activation_list_parse(const std::string& text, std::vector<Activation>* out);

// The model's parameters named as the tutorial's modules name them, with its
// activations and kind in the metadata so model_import reads them back.
Safetensors model_to_safetensors(const ModelFile& file);

}  // namespace lp
