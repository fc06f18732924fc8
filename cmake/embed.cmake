# sm_embed(TARGET SYMBOL FILES...): compiles the given files into TARGET as a table
#   const struct sm_embedded SYMBOL[] = { { "name", data, len }, ..., { NULL, NULL, 0 } };
# so that migrations, templates, catalogs and static assets ship inside the one binary and
# there is no install path to get wrong. Names are paths relative to the current source dir.
function(sm_embed target symbol)
    set(out "${CMAKE_CURRENT_BINARY_DIR}/${symbol}.c")
    set(files "")
    foreach(f IN LISTS ARGN)
        list(APPEND files "${CMAKE_CURRENT_SOURCE_DIR}/${f}")
    endforeach()
    add_custom_command(
        OUTPUT "${out}"
        COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSYMBOL=${symbol}
                -DBASE=${CMAKE_CURRENT_SOURCE_DIR} "-DFILES=${files}"
                -P "${PROJECT_SOURCE_DIR}/cmake/embed_gen.cmake"
        DEPENDS ${files} "${PROJECT_SOURCE_DIR}/cmake/embed_gen.cmake"
        COMMENT "Embedding ${symbol}"
        VERBATIM)
    # The generated file is compiled by an object library in this directory: a custom
    # command's output is only known to targets of the directory that declares it.
    add_library(${symbol}_obj OBJECT "${out}")
    target_include_directories(${symbol}_obj PRIVATE "${PROJECT_SOURCE_DIR}/include")
    target_sources(${target} PRIVATE $<TARGET_OBJECTS:${symbol}_obj>)
endfunction()
