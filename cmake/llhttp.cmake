# llhttp from Debian's node-llhttp ships C sources only: build them as a static library.
set(RTB_LLHTTP_SRC_DIR /usr/share/llhttp CACHE PATH "llhttp C sources (node-llhttp)")
set(RTB_LLHTTP_INCLUDE_DIR /usr/share/include/llhttp CACHE PATH "llhttp header (node-llhttp)")
if(NOT EXISTS ${RTB_LLHTTP_SRC_DIR}/llhttp.c OR NOT EXISTS ${RTB_LLHTTP_INCLUDE_DIR}/llhttp.h)
  message(FATAL_ERROR "llhttp sources not found: run scripts/install-deps.sh (package node-llhttp)")
endif()
add_library(llhttp STATIC
  ${RTB_LLHTTP_SRC_DIR}/llhttp.c ${RTB_LLHTTP_SRC_DIR}/api.c ${RTB_LLHTTP_SRC_DIR}/http.c)
target_include_directories(llhttp SYSTEM PUBLIC ${RTB_LLHTTP_INCLUDE_DIR})
set_target_properties(llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
target_compile_options(llhttp PRIVATE -w)
# Its three C files declare the same callbacks differently: they cannot share one unity source.
set_target_properties(llhttp PROPERTIES UNITY_BUILD OFF)
