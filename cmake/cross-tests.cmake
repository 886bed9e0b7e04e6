# `cross_tests`: every program the unit and integration tests run (unit_tests,
# integration_tests and ferryd, the fuzz-replay programs), and nothing else,
# so `make test-cross` does not build ferry, ferryctl or the e2e helpers.
if(FERRY_TESTS)
  add_custom_target(cross_tests)
  add_dependencies(cross_tests unit_tests integration_tests ferryd)
  get_property(fuzz_targets DIRECTORY ${PROJECT_SOURCE_DIR}/fuzz PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS fuzz_targets)
    if(t MATCHES "^fuzz_replay_")
      add_dependencies(cross_tests ${t})
    endif()
  endforeach()
endif()
