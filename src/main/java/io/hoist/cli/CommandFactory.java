package io.hoist.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Creates commands for picocli, handing each the {@link Environment} through its constructor when
 * it takes one: services reach commands here, not through statics.
 */
final class CommandFactory implements IFactory {

  private final Environment environment;

  CommandFactory(Environment environment) {
    this.environment = environment;
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    for (Constructor<?> constructor : cls.getDeclaredConstructors()) {
      Class<?>[] types = constructor.getParameterTypes();
      if (types.length == 1 && types[0] == Environment.class) {
        constructor.setAccessible(true);
        return cls.cast(constructor.newInstance(environment));
      }
    }
    return CommandLine.defaultFactory().create(cls);
  }
}
