// LatentPad's browser demo: SDL2 + WebGL2 + Dear ImGui around the same model
// library the native trainer uses. One AppState on the heap, one frame
// function driven by the browser's animation loop.
#include <emscripten.h>
#include <emscripten/html5.h>

#include <cmath>
#include <cstdio>
#include <tuple>
#include <utility>

#include "app_state.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl.h"
#include "panels.h"

namespace lp::web {

AppState* g_app = nullptr;  // for the JS API in js_api.cpp

namespace {

// The page's viewport in CSS pixels: the canvas fills it (see page/index.html).
EM_JS(int, viewport_width, (), { return window.innerWidth; });
EM_JS(int, viewport_height, (), { return window.innerHeight; });

// Rasterises the font at device resolution and scales it back: crisp text on
// high-DPI screens at the same layout size. Outside a frame only (before
// ImGui::NewFrame).
void build_fonts(float pixel_ratio) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig font;
  font.SizePixels = std::round(14.0f * pixel_ratio);
  io.Fonts->AddFontDefault(&font);
  io.FontGlobalScale = 1.0f / pixel_ratio;
  // The GL texture, if the backend made one already (it makes the first in
  // its first NewFrame).
  if (io.Fonts->TexID) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
}

// Follows the viewport's CSS size and the device pixel ratio, checked every
// frame: a window dragged to a screen of another density, or browser zoom,
// changes the ratio without always changing the CSS size. Returns true when
// something changed (the frame must be drawn).
bool fit_to_viewport(AppState& s) {
  const int w = viewport_width(), h = viewport_height();
  const float ratio = static_cast<float>(emscripten_get_device_pixel_ratio());
  if (w == s.css_width && h == s.css_height && ratio == s.pixel_ratio) return false;
  s.css_width = w;
  s.css_height = h;
  // With SDL_WINDOW_ALLOW_HIGHDPI, SDL sizes the canvas backing store at
  // devicePixelRatio times the CSS size (it reads the ratio again here).
  SDL_SetWindowSize(s.window, w, h);
  if (ratio != s.pixel_ratio && ratio > 0) {
    s.pixel_ratio = ratio;
    build_fonts(ratio);  // the scatter follows s.pixel_ratio by itself
  }
  return true;
}

// The page's background (dark ImGui's window colour). The main window is
// transparent over it: see setup_style.
const ImVec4 kBackground(0.062f, 0.062f, 0.063f, 1.0f);

// Everything outside ImGui that the screen shows. When it and the input are
// unchanged, the frame would look like the last one.
auto view_state(const AppState& s) {
  return std::make_tuple(s.error, s.status, s.data.model_ready, s.z[0], s.z[1], s.range, s.grid, s.recon_index,
                         s.digit_dirty, s.manifold_dirty, s.recon_dirty, s.manifold_serial, s.css_width,
                         s.css_height, s.train.serial, s.draw.serial, s.requested_tab, s.walk.playing,
                         s.model_serial, s.gl_restores);
}
using ViewState = decltype(view_state(std::declval<const AppState&>()));

// Frames drawn after the last change before the loop goes quiet: ImGui shows
// some changes a frame late (a clicked tab's contents, a hover highlight).
constexpr int kSettleFrames = 2;

void frame(void* arg) {
  AppState& s = *static_cast<AppState*>(arg);
  static ViewState last_view;
  static int quiet_frames = 0;
  SDL_Event event;
  bool input = false;
  while (SDL_PollEvent(&event)) {
    ImGui_ImplSDL2_ProcessEvent(&event);
    input = true;
  }
  if (s.gl_lost) return;  // nothing can be drawn until the context is restored
  if (fit_to_viewport(s)) input = true;
  // Redraw only when something changed. An idle page then costs nothing, and
  // the cores stay free for the decode workers (and, on machines that render
  // WebGL in software, the manifold is not slowed down by redrawing the same
  // picture at 60 Hz).
  ViewState view = view_state(s);
  if (input || view != last_view || ImGui::GetIO().WantTextInput) quiet_frames = 0;
  else if (quiet_frames >= kSettleFrames) return;
  ++quiet_frames;
  last_view = std::move(view);
  ++s.frames_drawn;

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  ImGui::NewFrame();
  panels_draw(s);
  ImGui::Render();
  // Recompute after drawing: the UI just changed z or the grid, and the new
  // pixels are ready for the next frame, one frame later at most.
  panels_update(s);

  int fb_w, fb_h;
  SDL_GL_GetDrawableSize(s.window, &fb_w, &fb_h);
  glViewport(0, 0, fb_w, fb_h);
  glClearColor(kBackground.x, kBackground.y, kBackground.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  SDL_GL_SwapWindow(s.window);
}

// The WebGL context can be lost (a GPU driver reset, the machine waking from
// sleep, too many WebGL pages open). Returning true from the lost callback
// calls preventDefault(), which lets the browser restore it; on restore every
// GL object is made again: ImGui's shaders, buffers and font atlas, and every
// Texture from the pixels it kept. The page's notice meanwhile: page/app.js.
EM_BOOL on_context_lost(int, const void*, void* user) {
  AppState& s = *static_cast<AppState*>(user);
  s.gl_lost = true;
  // On a lost context the deletes do nothing on the GPU; they clear the dead
  // names from Emscripten's tables. The whole renderer backend goes, not just
  // its device objects: it remembers its buffers' sizes, which the new
  // context's buffers do not have.
  ImGui_ImplOpenGL3_Shutdown();
  Texture::forget_all();
  return EM_TRUE;
}

EM_BOOL on_context_restored(int, const void*, void* user) {
  AppState& s = *static_cast<AppState*>(user);
  SDL_GL_MakeCurrent(s.window, s.gl);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  ImGui_ImplOpenGL3_CreateDeviceObjects();  // shaders, buffers and the font atlas
  Texture::restore_all();
  s.gl_lost = false;
  ++s.gl_restores;  // the next frame draws
  return EM_TRUE;
}

// A failure that stops the app before it runs: the page shows it (app.js).
EM_JS(void, report_startup_failure, (const char* message), {
  if (Module.latentpadFatal) Module.latentpadFatal(UTF8ToString(message));
});

void setup_style(float pixel_ratio) {
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // nothing to persist between visits
  build_fonts(pixel_ratio);
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowPadding = ImVec2(14, 12);
  style.FrameRounding = 4;
  style.GrabRounding = 4;
  style.ItemSpacing = ImVec2(10, 8);
  // The full-window panel lets the cleared framebuffer show through instead of
  // painting its own background over it: one full-screen fill a frame instead
  // of two, which halves the cost of a frame where WebGL runs in software.
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 0);
}

}  // namespace
}  // namespace lp::web

int main() {
  using namespace lp::web;
  if (SDL_Init(SDL_INIT_VIDEO) != 0) {
    std::fprintf(stderr, "SDL_Init failed: %s\n", SDL_GetError());
    return 1;
  }
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);

  auto* s = new AppState();  // lives for the page's lifetime
  g_app = s;
  s->pixel_ratio = static_cast<float>(emscripten_get_device_pixel_ratio());
  s->css_width = viewport_width();
  s->css_height = viewport_height();
  s->window = SDL_CreateWindow("LatentPad", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, s->css_width,
                               s->css_height, SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  s->gl = s->window ? SDL_GL_CreateContext(s->window) : nullptr;
  if (!s->gl) {
    std::fprintf(stderr, "WebGL2 is not available: %s\n", SDL_GetError());
    report_startup_failure("webgl2");
    return 1;
  }
  SDL_GL_MakeCurrent(s->window, s->gl);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  setup_style(s->pixel_ratio);
  ImGui_ImplSDL2_InitForOpenGL(s->window, s->gl);
  ImGui_ImplOpenGL3_Init("#version 300 es");

  emscripten_set_webglcontextlost_callback("#canvas", s, EM_FALSE, on_context_lost);
  emscripten_set_webglcontextrestored_callback("#canvas", s, EM_FALSE, on_context_restored);

  // 0 fps: follow requestAnimationFrame. Never returns (simulated infinite loop).
  emscripten_set_main_loop_arg(frame, s, 0, 1);
  return 0;
}
