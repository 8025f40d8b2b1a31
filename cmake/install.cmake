# Installation: libraries, public headers, the CLI, data (scripts/, assets/, scenes/, the
# Python package) under share/pilotsim, the CMake package and pilotsim.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(PILOTSIM_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/pilotsim)
set(PILOTSIM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/pilotsim)

# The build tree mirrors the installed data folder with links, so the CLI finds its data
# the same way in both (tools/pilotsim/cli_util.c, cli_data_dir).
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/share/pilotsim)
foreach(_pair scripts:scripts assets:assets scenes:scenes python:tools/python)
  string(REPLACE ":" ";" _p ${_pair})
  list(GET _p 0 _name)
  list(GET _p 1 _src)
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${_src} ${CMAKE_BINARY_DIR}/share/pilotsim/${_name} SYMBOLIC)
endforeach()

target_include_directories(pilotsim_static INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_include_directories(pilotsim_shared INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set_target_properties(pilotsim_shared PROPERTIES EXPORT_NAME pilotsim)
set_target_properties(pilotsim_static PROPERTIES EXPORT_NAME pilotsim_static)
install(TARGETS pilotsim_shared pilotsim_static EXPORT pilotsimTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/sim/include/pilotsim DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS pilotsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The CLI's plugins (tools/pilotsim/cli_plugin.h), found relative to BINDIR at run time.
foreach(_plugin pilotsim_plugin_render pilotsim_plugin_hdf5)
  if(TARGET ${_plugin})
    install(TARGETS ${_plugin} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/pilotsim)
  endif()
endforeach()
install(DIRECTORY ${CMAKE_SOURCE_DIR}/scripts ${CMAKE_SOURCE_DIR}/assets ${CMAKE_SOURCE_DIR}/scenes
  DESTINATION ${PILOTSIM_INSTALL_DATADIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/tools/python/ DESTINATION ${PILOTSIM_INSTALL_DATADIR}/python
  PATTERN __pycache__ EXCLUDE)

install(EXPORT pilotsimTargets NAMESPACE pilotsim:: DESTINATION ${PILOTSIM_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/pilotsimConfig.cmake.in
  ${CMAKE_BINARY_DIR}/pilotsimConfig.cmake INSTALL_DESTINATION ${PILOTSIM_INSTALL_CMAKEDIR}
  PATH_VARS PILOTSIM_INSTALL_DATADIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/pilotsimConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/pilotsimConfig.cmake ${CMAKE_BINARY_DIR}/pilotsimConfigVersion.cmake
  DESTINATION ${PILOTSIM_INSTALL_CMAKEDIR})
configure_file(${CMAKE_SOURCE_DIR}/cmake/pilotsim.pc.in ${CMAKE_BINARY_DIR}/pilotsim.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/pilotsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
