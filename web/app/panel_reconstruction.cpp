// The Reconstruction tab: a test image through the encoder and back through
// the decoder, with its code and error.
#include "panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <emscripten.h>

#include "demo_data.h"
#include "eval/reconstruction.h"
#include "nn/loss.h"
#include "nn/vae.h"

namespace lp::web {

void draw_reconstruction(AppState& s, float size) {
  if (!s.data.model.encoder()) {
    ImGui::TextWrapped("This model has no encoder, so it cannot reconstruct images.");
    return;
  }
  if (s.data.image_count == 0) {
    ImGui::TextDisabled("No test images loaded.");
    return;
  }
  if (ImGui::Button("Random")) {
    s.recon_index = static_cast<int>(emscripten_random() * s.data.image_count) % s.data.image_count;
    s.recon_dirty = true;
  }
  const ImGuiStyle& style = ImGui::GetStyle();
  same_line_if_fits(110 + style.ItemInnerSpacing.x + ImGui::CalcTextSize("index").x);
  ImGui::SetNextItemWidth(110);
  if (ImGui::InputInt("index", &s.recon_index)) {
    s.recon_index = std::clamp(s.recon_index, 0, s.data.image_count - 1);
    s.recon_dirty = true;
  }
  same_line_if_fits(60);
  ImGui::SetNextItemWidth(60);
  ImGui::Combo("##class", &s.recon_class, "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9\0");
  same_line_if_fits(button_width("Next of class"));
  if (ImGui::Button("Next of class")) {
    for (int k = 1; k <= s.data.image_count; ++k) {
      const int i = (s.recon_index + k) % s.data.image_count;
      if (s.data.labels[i] == s.recon_class) {
        s.recon_index = i;
        s.recon_dirty = true;
        break;
      }
    }
  }
  ImGui::Image(s.original_texture.imgui_id(), ImVec2(size, size));
  ImGui::SameLine();
  ImGui::Image(s.recon_texture.imgui_id(), ImVec2(size, size));
  s.recon_rect = item_rect();
  s.recon_caption = test_image_name(s, s.recon_index);
  char caption[200];
  const char* what = !s.vae ? "code" : s.recon_sample ? "z drawn from q(z|x)" : "mu";
  if (s.latent == 2 && s.recon_code.size() == 2)
    std::snprintf(caption, sizeof caption, "%s: %s (%.3f, %.3f), MSE %.4f", s.recon_caption.c_str(), what,
                  s.recon_code[0], s.recon_code[1], s.recon_mse);
  else
    std::snprintf(caption, sizeof caption, "%s: a %d-D %s, MSE %.4f", s.recon_caption.c_str(), s.latent, what,
                  s.recon_mse);
  text_wrapped_disabled(caption);
  same_line_if_fits(button_width("go to code"));
  if (ImGui::SmallButton("go to code") && static_cast<int>(s.recon_code.size()) == s.latent)
    code_set(s, s.recon_code.data());
  if (s.vae) {
    // A VAE's reconstruction from mu, or from a draw z = mu + sigma eps of
    // the posterior (a new draw each time it is ticked or the image changes).
    if (ImGui::Checkbox("sample z from the posterior", &s.recon_sample)) s.recon_dirty = true;
    s.recon_sample_rect = item_rect();
    s.recon_redraw_rect = ImVec4();
    if (s.recon_sample) {
      same_line_if_fits(button_width("draw again"));
      if (ImGui::SmallButton("draw again")) s.recon_dirty = true;
      s.recon_redraw_rect = item_rect();
    }
  }
}

void reconstruction_update(AppState& s) {
  if (s.recon_dirty && s.data.image_count > 0 && s.data.model.encoder()) {
    const float* image = &s.data.images[static_cast<size_t>(s.recon_index) * kPixels];
    const int width = s.latent;
    Eigen::MatrixXf heads(2 * width, 1), recon(kPixels, 1);  // [mu; logvar]
    demo_encode(s.data, image, 1, heads.data(), s.vae ? heads.data() + width : nullptr);
    s.recon_code.assign(heads.data(), heads.data() + width);
    if (s.vae && s.recon_sample) {  // z = mu + sigma eps, the library's reparameterisation
      Eigen::MatrixXf eps, z;
      vae_draw_eps(s.rng, width, 1, eps);
      vae_reparameterise(heads, eps, z);
      s.recon_code.assign(z.data(), z.data() + width);
    }
    demo_decode(s.data, s.recon_code.data(), 1, recon.data());
    s.recon_mse = mse_loss(recon, Eigen::Map<const Eigen::MatrixXf>(image, kPixels, 1));
    s.original_texture.upload_gray(image, kImageSide, kImageSide);
    s.recon_texture.upload_gray(recon.data(), kImageSide, kImageSide);
    s.recon_class = s.data.labels[s.recon_index] < 10 ? s.data.labels[s.recon_index] : 0;
    s.recon_dirty = false;
  }
}

}  // namespace lp::web
