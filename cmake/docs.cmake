# Man pages and bash completion, installed with the package of their program.
# Pages are written in scdoc (docs/man/*.scd: small, readable, in Debian as
# `scdoc`) and built at build time into build/man/*.gz (gzip -9n: the .deb
# stays reproducible). A page named ferry.* or ferry-* goes to the ferry
# package, every other one (ferryd*, ferryctl*) to ferryd.
find_program(FERRY_SCDOC scdoc REQUIRED)
set(FERRY_MAN_PAGES
    ferry.1 ferry-keygen.1 ferry-pack.1 ferry-verify.1 ferry-push.1 ferry-inspect.1
    ferryd.8 ferryd-serve.8 ferryd-import.8 ferryd-imports.8 ferryd-inventory.8
    ferryctl.8 ferryctl-user.8 ferryctl-token.8 ferryctl-namespace.8
    ferryd.toml.5)
set(_ferry_man_out ${CMAKE_CURRENT_BINARY_DIR}/man)
set(_ferry_man_gz)
foreach(page ${FERRY_MAN_PAGES})
  set(src ${PROJECT_SOURCE_DIR}/docs/man/${page}.scd)
  set(out ${_ferry_man_out}/${page}.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_ferry_man_out}
    COMMAND sh -c "'${FERRY_SCDOC}' < '${src}' | gzip -9n > '${out}.tmp' && mv '${out}.tmp' '${out}'"
    DEPENDS ${src} COMMENT "scdoc ${page}" VERBATIM)
  list(APPEND _ferry_man_gz ${out})
  string(REGEX MATCH "[0-9]$" section ${page})
  if(page MATCHES "^ferry[.-]")
    set(component ferry)
  else()
    set(component ferryd)
  endif()
  install(FILES ${out} DESTINATION share/man/man${section} COMPONENT ${component})
endforeach()
add_custom_target(man ALL DEPENDS ${_ferry_man_gz})

# Completion: bash-completion loads completions/PROG on first use of PROG.
# One script serves all three programs (it reads each program's --help).
set(_ferry_completion ${PROJECT_SOURCE_DIR}/packaging/completion/ferry)
install(FILES ${_ferry_completion} DESTINATION share/bash-completion/completions
        COMPONENT ferry)
foreach(prog ferryd ferryctl)
  install(FILES ${_ferry_completion} DESTINATION share/bash-completion/completions
          RENAME ${prog} COMPONENT ferryd)
endforeach()
