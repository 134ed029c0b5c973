#include <vector>

#include "app_state.h"

namespace lp::web {

namespace {

void upload(Texture& t, GLenum format, const uint8_t* bytes, int w, int h) {
  if (t.id == 0) {
    glGenTextures(1, &t.id);
    glBindTexture(GL_TEXTURE_2D, t.id);
    // Nearest: a 28x28 digit shown at 280 px should look like pixels, not fog.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  }
  glBindTexture(GL_TEXTURE_2D, t.id);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, format, w, h, 0, format, GL_UNSIGNED_BYTE, bytes);
  t.width = w;
  t.height = h;
}

}  // namespace

void Texture::upload_rgba(const uint8_t* rgba, int w, int h) { upload(*this, GL_RGBA, rgba, w, h); }

// Luminance samples as (v, v, v, 1) in WebGL2, so ImGui draws it as grey.
void Texture::upload_luminance(const uint8_t* gray, int w, int h) { upload(*this, GL_LUMINANCE, gray, w, h); }

void Texture::upload_gray(const float* values, int w, int h) {
  std::vector<uint8_t> gray(static_cast<size_t>(w) * h);
  for (size_t i = 0; i < gray.size(); ++i) gray[i] = gray_byte(values[i]);
  upload_luminance(gray.data(), w, h);
}

}  // namespace lp::web
