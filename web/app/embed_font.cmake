# web/app/embed_font.cmake -- writes a font file into a C++ source, at build time.
#
# cmake -DIN=font.ttf -DOUT=ui_font.cpp "-DRANGES=0020-007E;00A0-00FF;2026" -P embed_font.cmake
#
# Defines, in namespace lp::web (web/app/main.cpp declares them):
#   kUiFont[kUiFontSize]  the font file's bytes
#   kUiFontRanges         the code points it covers, as ImGui glyph ranges
#                         (pairs of first and last, ending in 0), from RANGES:
#                         hex code points or hex ranges FIRST-LAST, the same
#                         list web/CMakeLists.txt gives pyftsubset.
# The bytes go into the wasm's data section: no file system and no extra
# request, and gzip compresses them with the rest of latentpad.wasm.
cmake_minimum_required(VERSION 3.25)
foreach(_var IN ITEMS IN OUT RANGES)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "embed_font.cmake: -D${_var}=... is required")
  endif()
endforeach()

file(READ "${IN}" _hex HEX)
string(LENGTH "${_hex}" _len)
if(_len EQUAL 0)
  message(FATAL_ERROR "embed_font.cmake: ${IN} is empty")
endif()
math(EXPR _size "${_len} / 2")
# 16 bytes a line.
set(_bytes "")
foreach(_at RANGE 0 ${_len} 32)
  string(SUBSTRING "${_hex}" ${_at} 32 _line)
  if(NOT _line STREQUAL "")
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _line "${_line}")
    string(APPEND _bytes "${_line}\n")
  endif()
endforeach()

set(_ranges "")
foreach(_r IN LISTS RANGES)
  if(_r MATCHES "^([0-9A-Fa-f]+)-([0-9A-Fa-f]+)$")
    string(APPEND _ranges "0x${CMAKE_MATCH_1}, 0x${CMAKE_MATCH_2}, ")
  elseif(_r MATCHES "^[0-9A-Fa-f]+$")
    string(APPEND _ranges "0x${_r}, 0x${_r}, ")
  else()
    message(FATAL_ERROR "embed_font.cmake: '${_r}' is not a hex code point or range")
  endif()
endforeach()

get_filename_component(_name "${IN}" NAME)
file(WRITE "${OUT}.tmp" "// Generated from ${_name} by web/app/embed_font.cmake: do not edit.
#include <cstddef>

namespace lp::web {
extern const unsigned char kUiFont[] = {
${_bytes}};
extern const std::size_t kUiFontSize = ${_size};
extern const unsigned short kUiFontRanges[] = {${_ranges}0};
}  // namespace lp::web
")
# Replaced only when different, so an unchanged font recompiles nothing.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
