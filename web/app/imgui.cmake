# web/app/imgui.cmake -- Dear ImGui 1.86 + SDL2 for Emscripten / WebGL2.
#
# Included by web/CMakeLists.txt in an Emscripten build (emcmake cmake). The
# sources are not in the repo: tools/lib/setup.sh (lp_setup_wasm) fetches
# Debian's ImGui source and builds SDL2 for wasm, then exports
#   LATENTPAD_IMGUI_DIR    .../src/imgui-1.86 (imgui.cpp, backends/)
#   LATENTPAD_SDL2_PREFIX  install prefix holding lib/libSDL2.a, include/SDL2/
# which become the same-named cache variables here.
#
# Defines:
#   sdl2_wasm     imported static libSDL2.a with its include dirs
#   imgui_webgl2  static ImGui + SDL2 and OpenGL ES3 (= WebGL2) backends; its
#                 users get the WebGL2 / memory-growth link options.

include_guard(GLOBAL)

if(NOT EMSCRIPTEN)
  message(FATAL_ERROR "web/app/imgui.cmake needs an Emscripten build (configure with emcmake cmake)")
endif()

# Take each directory from the environment unless already set. An empty cache
# entry (from a configure run without the variable) is refilled as well.
foreach(_lp_var IN ITEMS LATENTPAD_IMGUI_DIR LATENTPAD_SDL2_PREFIX)
  set(${_lp_var} "$ENV{${_lp_var}}" CACHE PATH "set by tools/lib/setup.sh (lp_setup_wasm)")
  if("${${_lp_var}}" STREQUAL "" AND NOT "$ENV{${_lp_var}}" STREQUAL "")
    set(${_lp_var} "$ENV{${_lp_var}}" CACHE PATH "set by tools/lib/setup.sh (lp_setup_wasm)" FORCE)
  endif()
endforeach()

set(_lp_hint "run tools/demo or tools/test, which set them up")
if(NOT EXISTS "${LATENTPAD_IMGUI_DIR}/imgui.cpp"
   OR NOT EXISTS "${LATENTPAD_IMGUI_DIR}/backends/imgui_impl_sdl.cpp")
  message(FATAL_ERROR
    "Dear ImGui source not found (LATENTPAD_IMGUI_DIR='${LATENTPAD_IMGUI_DIR}'): ${_lp_hint}")
endif()
if(NOT EXISTS "${LATENTPAD_SDL2_PREFIX}/lib/libSDL2.a"
   OR NOT EXISTS "${LATENTPAD_SDL2_PREFIX}/include/SDL2/SDL.h")
  message(FATAL_ERROR
    "SDL2 for wasm not found (LATENTPAD_SDL2_PREFIX='${LATENTPAD_SDL2_PREFIX}'): ${_lp_hint}")
endif()

# A plain imported library rather than find_package(SDL2): the Emscripten
# toolchain file restricts package searches to its sysroot, and all we need is
# the archive and its headers (<SDL.h> is included without the SDL2/ prefix).
add_library(sdl2_wasm STATIC IMPORTED GLOBAL)
set_target_properties(sdl2_wasm PROPERTIES
  IMPORTED_LOCATION "${LATENTPAD_SDL2_PREFIX}/lib/libSDL2.a"
  INTERFACE_INCLUDE_DIRECTORIES "${LATENTPAD_SDL2_PREFIX}/include;${LATENTPAD_SDL2_PREFIX}/include/SDL2")

set(_lp_imgui "${LATENTPAD_IMGUI_DIR}")
add_library(imgui_webgl2 STATIC
  "${_lp_imgui}/imgui.cpp"
  "${_lp_imgui}/imgui_draw.cpp"
  "${_lp_imgui}/imgui_tables.cpp"
  "${_lp_imgui}/imgui_widgets.cpp"
  "${_lp_imgui}/backends/imgui_impl_sdl.cpp"
  "${_lp_imgui}/backends/imgui_impl_opengl3.cpp")
# SYSTEM: warnings in ImGui's headers must not trip the project's -Werror.
target_include_directories(imgui_webgl2 SYSTEM PUBLIC "${_lp_imgui}" "${_lp_imgui}/backends")
# Without IMGUI_IMPL_OPENGL_ES3 the backend picks ES2 (WebGL1) under
# Emscripten. PUBLIC so that code including imgui_impl_opengl3.h agrees.
target_compile_definitions(imgui_webgl2 PUBLIC IMGUI_IMPL_OPENGL_ES3)
target_link_libraries(imgui_webgl2 PUBLIC sdl2_wasm)
# Optimised for size: ImGui is most of the page's code, and its speed does not
# matter next to the model's (which stays -O3); the first load is capped at 1.5 MB.
target_compile_options(imgui_webgl2 PRIVATE -Os)
target_link_options(imgui_webgl2 INTERFACE
  -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2 -sALLOW_MEMORY_GROWTH=1)

unset(_lp_imgui)
unset(_lp_hint)
unset(_lp_var)
