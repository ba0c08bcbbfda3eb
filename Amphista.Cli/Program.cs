Console.WriteLine("amphista");
