# The module map: which Tutela module may depend on which. This list is the single source of truth for layering;
# docs/architecture.md explains it and tests/architecture/check_layering.py checks every #include against it.
#
#   core       — nothing (third-party libraries only)
#   ledger     — core                    tamper-evident Merkle log (RFC 9162), shared by vault, pims and key auditing
#   catalog    — core                    frameworks, unified controls, crosswalks, responsibility, certifications
#   inventory  — core                    cloud estate model: Terraform plan/state and snapshot importers
#   policy     — core inventory          declarative checks evaluated over inventory resources
#   assess     — core catalog inventory policy   results rolled up to controls and framework requirements
#   pii        — core ledger             discovery (detectors, extractors) and protection (operators, FF1, keys)
#   pims       — core catalog ledger     register, risk, purpose decisions, breach response
#   vault      — core ledger             WORM object store with an S3 Object Lock API
#   report     — core catalog inventory policy assess pii pims   rendering (HTML, SARIF, OSCAL, ...) of engine results
#   server     — every module above      HTTP API and web UI
#
# Engines read each other's outputs through the documented formats in docs/formats/, never through shared structs,
# which is why pims and assess do not depend on pii.
set(TUTELA_LAYER_core "")
set(TUTELA_LAYER_ledger core)
set(TUTELA_LAYER_catalog core)
set(TUTELA_LAYER_inventory core)
set(TUTELA_LAYER_policy core inventory)
set(TUTELA_LAYER_assess core catalog inventory policy)
set(TUTELA_LAYER_pii core ledger)
set(TUTELA_LAYER_pims core catalog ledger)
set(TUTELA_LAYER_vault core ledger)
set(TUTELA_LAYER_report core catalog inventory policy assess pii pims)
set(TUTELA_LAYER_server core ledger catalog inventory policy assess pii pims vault report)
set(TUTELA_MODULES core ledger catalog inventory policy assess pii pims vault report server)

# tutela_module(NAME
#               [SOURCES file.cc ...]           implementation files under src/NAME/
#               [DEPENDS module ...]            other Tutela modules, public (their headers appear in ours)
#               [PRIVATE_DEPENDS module ...]    other Tutela modules, used only inside src/NAME/
#               [PUBLIC_LIBS target ...]        third-party targets our public headers expose
#               [PRIVATE_LIBS target ...])      third-party targets used only inside src/NAME/
#
# Creates the library target tutela_NAME (alias tutela::NAME). With no SOURCES the module is reserved: an INTERFACE
# target that carries its dependencies, so dependants can already link it. Refuses, at configure time, a dependency
# that the module map above does not allow.
function(tutela_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  if(NOT name IN_LIST TUTELA_MODULES)
    message(FATAL_ERROR "tutela_module: '${name}' is not in the module map; add it to cmake/TutelaModules.cmake "
                        "and docs/architecture.md first.")
  endif()
  foreach(dep IN LISTS M_DEPENDS M_PRIVATE_DEPENDS)
    if(NOT dep IN_LIST TUTELA_LAYER_${name})
      message(FATAL_ERROR "tutela_module: module '${name}' may not depend on '${dep}' (allowed: "
                          "'${TUTELA_LAYER_${name}}'); see docs/architecture.md.")
    endif()
  endforeach()
  list(TRANSFORM M_DEPENDS PREPEND tutela_ OUTPUT_VARIABLE public_modules)
  list(TRANSFORM M_PRIVATE_DEPENDS PREPEND tutela_ OUTPUT_VARIABLE private_modules)

  set(target tutela_${name})
  if(M_SOURCES)
    add_library(${target} STATIC ${M_SOURCES})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target}
      PUBLIC ${public_modules} ${M_PUBLIC_LIBS}
      PRIVATE ${private_modules} ${M_PRIVATE_LIBS} tutela_build_flags)
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR}/include)
    target_link_libraries(${target} INTERFACE ${public_modules} ${private_modules} ${M_PUBLIC_LIBS} ${M_PRIVATE_LIBS})
  endif()
  add_library(tutela::${name} ALIAS ${target})
endfunction()
