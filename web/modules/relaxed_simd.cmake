# The relaxed-SIMD (fused multiply-add) builds of the standalone modules:
# latentpad_model_relaxed.wasm and latentpad_trainer_relaxed.wasm, fetched by
# the page instead of the SIMD128 ones where the browser validates relaxed SIMD
# (page/support.js).
#
# Only the dense kernels move to Debian's clang-19; everything else is the
# same Emscripten 3.1.6 objects and libraries as the SIMD128 modules. Why:
#   - Emscripten 3.1.6's LLVM 14 emits relaxed SIMD with its pre-standard
#     opcodes, which browsers reject; clang-19 emits the standard ones.
#   - emcc cannot link the clang-19 object: its post-link step runs binaryen
#     108 (wasm-emscripten-finalize, then wasm-opt), which cannot parse the
#     standard opcodes. Emscripten's own wasm-ld output is already a complete
#     standalone module (the post-link step only reads metadata for the JS
#     glue these modules do not have, then optimizes), so the link below is
#     emcc's wasm-ld command, run by wasm-ld-19 without those two steps.
#   - Moving the modules whole to clang-19 (wasm32-wasi, Debian's libc++ for
#     wasm) would give them a second C library, allocator and set of imports,
#     and wasi's libc++ has no threads, which the library's thread pool uses:
#     a second port of everything for a change in three functions.
# kernels/dense_kernel_simd128.cpp is the one source of both: compiled here
# with -mrelaxed-simd, its madd() is f32x4.relaxed_madd. The object defines
# every symbol of the SIMD128 object (the kernels, dense_pack,
# dense_kernel_name), so liblatentpad_kernels.a's SIMD128 member is never
# pulled into these links; if it were, wasm-ld would stop on the duplicates.
find_program(LATENTPAD_CLANG19 clang++-19)
find_program(LATENTPAD_WASM_LD19 wasm-ld-19)
if(NOT LATENTPAD_CLANG19 OR NOT LATENTPAD_WASM_LD19)
  message(FATAL_ERROR "clang++-19 and wasm-ld-19 build the relaxed-SIMD modules: install Debian's clang-19 and "
                      "lld-19 (tools/lib/setup.sh, lp_setup_wasm)")
endif()
set(_lp_sysroot ${EMSCRIPTEN_ROOT_PATH}/cache/sysroot)
set(_lp_syslib ${_lp_sysroot}/lib/wasm32-emscripten)
# The one symbol left for the embedder, imported from "env" (what emcc's
# --import-undefined made of it); any other undefined symbol stops the link.
set(_lp_relaxed_imports ${CMAKE_CURRENT_BINARY_DIR}/relaxed_imports.txt)
file(WRITE ${_lp_relaxed_imports} "emscripten_notify_memory_growth\n")

# The kernel object: emcc's own compile flags for this target (em++ --cflags,
# minus LLVM 14's -mllvm options) with clang-19, at the library's -O3.
# The same object compiled with atomics and bulk memory (clang's -pthread), for
# the threaded trainer (THREADS below): wasm-ld links a shared-memory module
# only from objects that all have those features.
set(_lp_kernel_source ${PROJECT_SOURCE_DIR}/src/kernels/dense_kernel_simd128.cpp)
foreach(_lp_variant IN ITEMS "" "_mt")
  set(_lp_out ${CMAKE_CURRENT_BINARY_DIR}/dense_kernel_relaxed${_lp_variant}.o)
  set(_lp_flags)
  if(_lp_variant STREQUAL "_mt")
    set(_lp_flags -pthread -matomics -mbulk-memory)
  endif()
  add_custom_command(OUTPUT ${_lp_out}
    COMMAND ${LATENTPAD_CLANG19} -target wasm32-unknown-emscripten --sysroot=${_lp_sysroot}
            -Xclang -iwithsysroot/include/compat -DEMSCRIPTEN -D__EMSCRIPTEN_major__=3 -D__EMSCRIPTEN_minor__=1
            -D__EMSCRIPTEN_tiny__=6 -D_LIBCPP_ABI_VERSION=2 -Dunix -D__unix -D__unix__ -fignore-exceptions
            -fno-threadsafe-statics -fvisibility=default
            -std=c++17 -O3 -DNDEBUG -Wall -Wextra -Werror -fno-math-errno -msimd128 -mrelaxed-simd ${_lp_flags}
            -I${PROJECT_SOURCE_DIR}/src -isystem ${EIGEN3_INCLUDE_DIR}
            -MD -MF ${_lp_out}.d -c ${_lp_kernel_source} -o ${_lp_out}
    DEPFILE ${_lp_out}.d
    DEPENDS ${_lp_kernel_source}
    COMMENT "Compiling the relaxed-SIMD dense kernels with clang-19${_lp_variant}"
    VERBATIM)
endforeach()
set(_lp_relaxed_kernel ${CMAKE_CURRENT_BINARY_DIR}/dense_kernel_relaxed.o)
set(_lp_relaxed_kernel_mt ${CMAKE_CURRENT_BINARY_DIR}/dense_kernel_relaxed_mt.o)
add_custom_target(latentpad_kernel_relaxed DEPENDS ${_lp_relaxed_kernel})

# latentpad_relaxed_module(NAME OBJECTS <object library> LIBS <targets> EXPORTS <symbols> [MALLOC emmalloc]
#                          [THREADS] [KERNEL relaxed|simd128])
# Links NAME.wasm from the object library, the relaxed kernel and the libraries
# (in link order), as emcc links a --no-entry STANDALONE_WASM module with
# ALLOW_MEMORY_GROWTH up to 2 GB: the same C library, allocator (dlmalloc),
# stack size and memory sizes, the same exports. --strip-all drops the names
# section, as emcc's wasm-opt does. Without wasm-opt's post-link pass, these
# modules are ~15 % larger than the SIMD128 ones (~3 KB gzipped for the model).
# MALLOC emmalloc (Emscripten's small allocator, as the ImGui app uses) wins
# that back for a module of the first page load, which is capped at 1.5 MB
# gzipped (tools/bench/web_bench.mjs): the model module allocates a few
# buffers per call, where dlmalloc's speed buys nothing.
#
# THREADS links a shared-memory module (the threaded trainer, whose objects
# and libraries are all compiled with -pthread): the memory is imported
# (env.memory, shared, up to 1 GB; the embedder creates it and hands the same
# one to every worker's instance), the C library and C++ runtime are Debian's
# -mt builds, the allocator emmalloc-mt (a spin lock, where dlmalloc-mt's
# pthread mutex would need Emscripten's glue), and the thread pool's entry
# points (src/base/thread_pool_wasm.cpp) and stackRestore (a worker sets its
# own stack) are exported. wasm-ld makes the data segments passive and
# initialises them once, in the first instance's start function.
# KERNEL simd128 leaves out the clang-19 kernel: the libraries' own SIMD128
# kernels are linked (a threaded module without relaxed SIMD).
function(latentpad_relaxed_module name)
  cmake_parse_arguments(ARG "THREADS" "OBJECTS;MALLOC;KERNEL" "LIBS;EXPORTS" ${ARGN})
  if(NOT ARG_MALLOC)
    set(ARG_MALLOC dlmalloc)
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  set(libs)
  foreach(lib IN LISTS ARG_LIBS)
    list(APPEND libs $<TARGET_FILE:${lib}>)
  endforeach()
  list(TRANSFORM ARG_EXPORTS PREPEND --export=)
  if(ARG_THREADS)
    set(kernel ${_lp_relaxed_kernel_mt})
    set(syslibs -lc-mt -lemmalloc-mt -lcompiler_rt-mt -lc++-mt-noexcept -lc++abi-mt-noexcept)
    set(memory --shared-memory --import-memory --max-memory=1073741824 --export=stackRestore
               --export=lp_pool_prepare_worker --export=lp_pool_worker --export=lp_pool_workers
               --export=lp_pool_worker_tasks)
    set(what "threaded, ")
  else()
    set(kernel ${_lp_relaxed_kernel})
    set(syslibs -lc -l${ARG_MALLOC} -lcompiler_rt -lc++-noexcept -lc++abi-noexcept)
    set(memory --max-memory=2147483648)
    set(what "")
  endif()
  if(ARG_KERNEL STREQUAL "simd128")
    set(kernel)
    string(APPEND what "SIMD128")
  else()
    string(APPEND what "relaxed SIMD")
  endif()
  add_custom_command(OUTPUT ${out}
    COMMAND ${LATENTPAD_WASM_LD19} -o ${out} $<TARGET_OBJECTS:${ARG_OBJECTS}> ${kernel} ${libs}
            -L${_lp_syslib} ${_lp_syslib}/crt1_reactor.o -lstandalonewasm-memgrow -lstubs -lnoexit ${syslibs}
            --allow-undefined-file=${_lp_relaxed_imports} --strip-all --no-entry --export=_initialize --export=malloc --export=free ${ARG_EXPORTS}
            -z stack-size=5242880 --initial-memory=16777216 ${memory} --global-base=1024
    DEPENDS ${ARG_OBJECTS} ${kernel} ${ARG_LIBS} $<TARGET_OBJECTS:${ARG_OBJECTS}>
    COMMENT "Linking ${name}.wasm (${what}) with wasm-ld-19"
    COMMAND_EXPAND_LISTS
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
  set_target_properties(${name} PROPERTIES LATENTPAD_WASM ${out})
endfunction()
