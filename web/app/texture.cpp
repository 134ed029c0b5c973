#include <cstddef>
#include <vector>

#include "app_state.h"

namespace lp::web {

namespace {

// Every Texture alive, for forget_all / restore_all.
std::vector<Texture*>& all_textures() {
  static std::vector<Texture*> textures;
  return textures;
}

// Sends t.pixels to the GPU (making the GL texture first if needed).
void send(Texture& t) {
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
  // Same size and format as the GPU's copy: overwrite it in place, rather
  // than have the driver allocate new storage (a training snapshot
  // re-uploads the scatter, 1.9 MB at a 688-px pad, a few times a second).
  if (t.sent_width == t.width && t.sent_height == t.height && t.sent_format == t.format) {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, t.width, t.height, t.format, GL_UNSIGNED_BYTE, t.pixels.data());
    return;
  }
  glTexImage2D(GL_TEXTURE_2D, 0, t.format, t.width, t.height, 0, t.format, GL_UNSIGNED_BYTE, t.pixels.data());
  t.sent_width = t.width;
  t.sent_height = t.height;
  t.sent_format = t.format;
}

void upload(Texture& t, GLenum format, const uint8_t* bytes, int w, int h) {
  const size_t size = static_cast<size_t>(w) * h * (format == GL_RGBA ? 4 : 1);
  t.pixels.assign(bytes, bytes + size);
  t.format = format;
  t.width = w;
  t.height = h;
  send(t);
}

}  // namespace

Texture::Texture() { all_textures().push_back(this); }

Texture::~Texture() {
  auto& textures = all_textures();
  for (size_t i = 0; i < textures.size(); ++i) {
    if (textures[i] == this) {
      textures.erase(textures.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  if (id != 0) glDeleteTextures(1, &id);
}

uint8_t* Texture::pixels_for(GLenum format_, int w, int h) {
  pixels.resize(static_cast<size_t>(w) * h * (format_ == GL_RGBA ? 4 : 1));
  format = format_;
  width = w;
  height = h;
  return pixels.data();
}

void Texture::send_pixels() { send(*this); }

// On a lost context glDeleteTextures does nothing on the GPU, but it frees
// Emscripten's table entry for the dead name.
void Texture::forget_all() {
  for (Texture* t : all_textures()) {
    if (t->id != 0) glDeleteTextures(1, &t->id);
    t->id = 0;
    t->sent_width = t->sent_height = 0;
    t->sent_format = 0;
  }
}

void Texture::restore_all() {
  for (Texture* t : all_textures()) {
    if (t->format != 0 && !t->pixels.empty()) send(*t);
  }
}

void Texture::upload_rgba(const uint8_t* rgba, int w, int h) { upload(*this, GL_RGBA, rgba, w, h); }

// Luminance samples as (v, v, v, 1) in WebGL2, so ImGui draws it as grey.
void Texture::upload_luminance(const uint8_t* gray, int w, int h) { upload(*this, GL_LUMINANCE, gray, w, h); }

void Texture::upload_gray(const float* values, int w, int h) {
  std::vector<uint8_t> gray(static_cast<size_t>(w) * h);
  for (size_t i = 0; i < gray.size(); ++i) gray[i] = gray_byte(values[i]);
  upload_luminance(gray.data(), w, h);
}

}  // namespace lp::web
