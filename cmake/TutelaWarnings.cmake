# Compiler flags shared by every Tutela target: warnings on, optional -Werror, optional sanitizers.
add_library(tutela_build_flags INTERFACE)
target_compile_options(tutela_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
# GCC 12 reports -Wrestrict inside libstdc++ for `"literal" + std::string` at -O2 and above, a false positive
# (GCC bug 105329, fixed in GCC 13). Off for GCC 12 only, so the build stays warning-free without hiding real ones.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(tutela_build_flags INTERFACE -Wno-restrict)
endif()
if(TUTELA_WERROR)
  target_compile_options(tutela_build_flags INTERFACE -Werror)
endif()

if(TUTELA_SANITIZE)
  string(REPLACE "," ";" _tutela_sanitizers "${TUTELA_SANITIZE}")
  foreach(_sanitizer IN LISTS _tutela_sanitizers)
    if(NOT _sanitizer MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "TUTELA_SANITIZE: unknown sanitizer '${_sanitizer}'; use address, undefined, thread or leak.")
    endif()
  endforeach()
  # Applied globally so that test binaries and the CLI are instrumented like the libraries.
  add_compile_options(-fsanitize=${TUTELA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${TUTELA_SANITIZE})
  message(STATUS "Tutela: sanitizers enabled: ${TUTELA_SANITIZE}")
endif()
