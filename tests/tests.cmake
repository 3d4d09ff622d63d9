# Shared helpers of the C tests (finite differences, evaluation).
file(GLOB TEST_SUPPORT CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/support/*.c)
add_library(ebmtest STATIC ${TEST_SUPPORT})
target_include_directories(ebmtest PUBLIC ${CMAKE_SOURCE_DIR}/tests/support)
target_link_libraries(ebmtest PUBLIC ebmtools)

# Every tests/test_*.c is a standalone program (exit 0 = pass) registered with ctest.
file(GLOB TEST_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/test_*.c)
foreach(src ${TEST_SRC})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE ebmtest)
  target_compile_definitions(${name} PRIVATE EBMFORGE_BIN="$<TARGET_FILE:ebmforge>")
  add_dependencies(${name} ebmforge)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endforeach()
# Shell tests drive the ebmforge binary end to end.
file(GLOB SH_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/*.sh)
foreach(sh ${SH_TESTS})
  get_filename_component(name ${sh} NAME_WE)
  add_test(NAME ${name} COMMAND bash ${sh} $<TARGET_FILE:ebmforge> WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)   # 77: cannot run here (says why)
endforeach()
# Tools the shell tests call (found beside the ebmforge binary).
add_executable(compare_runs ${CMAKE_SOURCE_DIR}/tests/tools/compare_runs.c)
target_link_libraries(compare_runs PRIVATE ebmrt)
# Exit 77: a dependency the test needs is not installed (it says which).
set_tests_properties(mpi_data_parallel PROPERTIES SKIP_RETURN_CODE 77)
add_executable(make_points ${CMAKE_SOURCE_DIR}/tests/tools/make_points.c)
target_link_libraries(make_points PRIVATE m)
