# Helpers that declare a library and a test binary the same way everywhere, with the flags they share.

set(RTB_WARNINGS -Wall -Wextra -Werror)
set(RTB_SANITIZER_FLAGS)
if(RTB_BUILD_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "RTB_BUILD_FUZZ needs clang's libFuzzer, not ${CMAKE_CXX_COMPILER_ID}: configure a separate "
                      "build dir with CC=clang CXX=clang++ (scripts/fuzz.sh does)")
endif()
# A fuzz build without ASan and UBSan in the libraries would only find crashes, not the memory errors behind them.
if(RTB_SANITIZE OR RTB_BUILD_FUZZ)
  set(RTB_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options(${RTB_SANITIZER_FLAGS})
  add_link_options(${RTB_SANITIZER_FLAGS})
endif()
if(RTB_BUILD_FUZZ)
  # Coverage instrumentation for every library, so libFuzzer is guided by the code under test and not only by
  # the fuzz targets themselves; the targets add the libFuzzer runtime (fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# rtb_add_library(NAME SOURCES a.cpp ... DEPS x y): a static library of our own code, warnings as errors.
function(rtb_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${RTB_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# rtb_add_test(NAME SOURCES a_test.cpp ... DEPS x y): one GoogleTest binary, each TEST a ctest case.
function(rtb_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  # Test code drives the optimised libraries and runs little itself: unoptimised, with line tables only, it
  # builds in about half the time, which is most of the test command's budget.
  target_compile_options(${name} PRIVATE ${RTB_WARNINGS} -O0 $<IF:$<CXX_COMPILER_ID:Clang>,-gline-tables-only,-g1>)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "RTB_SOURCE_DIR=${PROJECT_SOURCE_DIR};RTB_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()

# rtb_add_folder_library(NAME DEPS ...): every *.cpp in the calling folder becomes one library.
function(rtb_add_folder_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER sources EXCLUDE REGEX ".*/main\\.cpp$")
  if(sources)
    rtb_add_library(${name} SOURCES ${sources} DEPS ${ARG_DEPS})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# rtb_add_folder_test(NAME DEPS ...): every *_test.cpp in the calling folder becomes one test binary.
function(rtb_add_folder_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  if(sources)
    rtb_add_test(${name} SOURCES ${sources} DEPS ${ARG_DEPS} TIMEOUT ${ARG_TIMEOUT})
  endif()
endfunction()
