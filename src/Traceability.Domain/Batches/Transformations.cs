using Traceability.Domain.Shared;

namespace Traceability.Domain.Batches;

/// <summary>Merge input batches (with the quantity used of each) into a new batch.</summary>
public sealed record MergeBatches(
    Guid NewBatchId,
    Producer Producer,
    Product Product,
    string LotNumber,
    Quantity Output,
    IReadOnlyList<BatchInput> Inputs,
    decimal? DeclaredYield,
    DateTimeOffset ProducedAt,
    DateOnly? BestBefore,
    StepInfo Step,
    DateTimeOffset Now);

public sealed record SplitChild(Guid BatchId, string LotNumber, Quantity Quantity);

/// <summary>Split a batch into children; each child keeps the parent's product and links back to it.</summary>
public sealed record SplitBatch(Guid ParentId, IReadOnlyList<SplitChild> Children, StepInfo Step, DateTimeOffset Now);

/// <summary>Events for several streams at once; the store appends them atomically.</summary>
public sealed record StreamEvents(Guid BatchId, IReadOnlyList<IBatchEvent> Events);

/// <summary>
/// Transformations touch several batches. The decision sees every batch involved and returns events for each;
/// the caller appends them all or none (expected revisions on every stream), so mass balance holds across them.
/// </summary>
public static class Transformations
{
    public const int MaxInputs = 100;
    public const int MaxChildren = 100;

    public static IReadOnlyList<StreamEvents> Decide(IReadOnlyDictionary<Guid, Batch> inputs, Batch newBatch, MergeBatches command)
    {
        if (newBatch.Exists)
            throw BatchDecisions.Rule("batch.already_registered", "Lô hàng này đã được đăng ký.", "This batch is already registered.");
        if (command.Inputs.Count is 0 or > MaxInputs || command.Inputs.Any(i => i is null))
            throw new InvalidFieldException("inputs", $"Cần từ 1 đến {MaxInputs} lô đầu vào.", $"A merge takes 1 to {MaxInputs} input batches.");
        BatchDecisions.CheckStepInfo(command.Step, command.Now);
        if (command.Inputs.Select(i => i.BatchId).Distinct().Count() != command.Inputs.Count || command.Inputs.Any(i => i.BatchId == command.NewBatchId))
            throw new InvalidFieldException("inputs", "Mỗi lô đầu vào chỉ được nêu một lần.", "Each input batch appears once, and never the new batch itself.");
        BatchDecisions.CheckRegistration(command.Product, command.LotNumber, null, command.ProducedAt, command.BestBefore, command.DeclaredYield, command.Now);
        Quantity.Create(command.Output.Amount, command.Output.Unit, "output");

        var events = new List<StreamEvents>();
        decimal inputTotal = 0;
        foreach (var input in command.Inputs)
        {
            if (!inputs.TryGetValue(input.BatchId, out var batch) || !batch.Exists)
                throw BatchDecisions.Rule("batch.input_not_found", $"Không tìm thấy lô đầu vào {input.BatchId}.", $"Input batch {input.BatchId} does not exist.");
            inputTotal += Consume(batch, input.QuantityUsed, command.NewBatchId, command.Step, command.Now, events, command.Output.Unit);
        }

        var yield = Yields.For(command.Product.Category, command.DeclaredYield);
        var output = command.Output.Amount;
        if (output > inputTotal * yield)
            throw BatchDecisions.Rule("batch.mass_balance",
                $"Cân đối khối lượng không đạt: đầu ra {command.Output} vượt tổng đầu vào {inputTotal} {command.Output.Unit} × hiệu suất {yield}.",
                $"Mass balance: the output {command.Output} exceeds the inputs' {inputTotal} {command.Output.Unit} × yield {yield}.");

        // The merged batch is only as far along as its least processed input.
        var stage = command.Inputs.Min(i => inputs[i.BatchId].Stage);
        events.Add(new StreamEvents(command.NewBatchId,
        [
            new BatchRegistered(command.NewBatchId, command.Producer, command.Product, command.LotNumber, command.Output, null,
                command.ProducedAt, command.BestBefore, command.Inputs, command.DeclaredYield, command.Step.RecordedBy, command.Now, stage),
        ]));
        return events;
    }

    public static IReadOnlyList<StreamEvents> Decide(Batch parent, IReadOnlyDictionary<Guid, Batch> children, SplitBatch command)
    {
        if (!parent.Exists) throw BatchDecisions.NotFound();
        if (command.Children.Count is < 2 or > MaxChildren || command.Children.Any(c => c is null))
            throw new InvalidFieldException("children", $"Tách lô cần từ 2 đến {MaxChildren} lô con.", $"A split makes 2 to {MaxChildren} child batches.");
        BatchDecisions.CheckStepInfo(command.Step, command.Now);
        if (command.Children.Select(c => c.BatchId).Distinct().Count() != command.Children.Count)
            throw new InvalidFieldException("children", "Mỗi lô con phải có mã riêng.", "Each child batch needs its own id.");
        if (command.Children.Select(c => c.LotNumber).Distinct(StringComparer.Ordinal).Count() != command.Children.Count)
            throw new InvalidFieldException("children.lotNumber", "Mỗi lô con phải có số lô riêng.", "Each child batch needs its own lot number.");

        var events = new List<StreamEvents>();
        foreach (var child in command.Children)
        {
            if (children.TryGetValue(child.BatchId, out var existing) && existing.Exists)
                throw BatchDecisions.Rule("batch.already_registered", $"Lô con {child.BatchId} đã tồn tại.", $"Child batch {child.BatchId} already exists.");
            Text.Require(child.LotNumber, "children.lotNumber", 40);
        }

        // Every child is consumed from the parent in turn, so the parent's on-hand check covers their sum.
        var parentState = parent;
        var consumed = new List<IBatchEvent>();
        foreach (var child in command.Children)
        {
            var perChild = new List<StreamEvents>();
            Consume(parentState, child.Quantity, child.BatchId, command.Step, command.Now, perChild, parent.OnHand.Unit);
            var consumedEvent = perChild[0].Events[0];
            consumed.Add(consumedEvent);
            parentState = Batch.Evolve(parentState, consumedEvent);
        }

        events.Add(new StreamEvents(parent.Id, consumed));
        foreach (var child in command.Children)
            events.Add(new StreamEvents(child.BatchId,
            [
                // A child is a part of its parent: same product, origin, best-before, stage and yield still to come.
                new BatchRegistered(child.BatchId, parent.Producer!, parent.Product!, child.LotNumber, child.Quantity, parent.Origin,
                    command.Step.OccurredAt, parent.BestBefore, [new BatchInput(parent.Id, child.Quantity)], parent.DeclaredYield,
                    parent.Custodian!, command.Now, parent.Stage),
            ]));
        return events;
    }

    /// <summary>Checks that <paramref name="batch"/> can give <paramref name="quantity"/>; records the consumption; returns it in <paramref name="unit"/>.</summary>
    private static decimal Consume(Batch batch, Quantity quantity, Guid into, StepInfo step, DateTimeOffset now, List<StreamEvents> events, QuantityUnit unit)
    {
        if (batch.Custodian?.Id != step.RecordedBy.Id)
            throw new DomainException("batch.not_custodian", $"Chỉ bên đang giữ lô {batch.LotNumber} mới dùng được lô này.",
                $"Only the custodian of batch {batch.LotNumber} can use it.");
        if (batch.Status == BatchStatus.Recalled)
            throw BatchDecisions.Rule("batch.recalled", $"Lô {batch.LotNumber} đang bị thu hồi, không thể dùng làm đầu vào.",
                $"Batch {batch.LotNumber} is recalled and cannot be used.");
        if (batch.Status == BatchStatus.InTransit)
            throw BatchDecisions.Rule("batch.in_transit", $"Lô {batch.LotNumber} đang vận chuyển.", $"Batch {batch.LotNumber} is in transit.");
        BatchDecisions.RequireNotBefore(batch, step.OccurredAt);
        if (step.OccurredAt > now + BatchDecisions.FutureTolerance)
            throw new InvalidFieldException("occurredAt", "Thời điểm không được ở tương lai.", "The time is more than 10 minutes in the future.");
        Quantity.Create(quantity.Amount, quantity.Unit, "quantity");
        var used = quantity.In(batch.OnHand.Unit)
                   ?? throw new InvalidFieldException("quantity", "Đơn vị không quy đổi được.", $"{quantity.Unit} does not convert to {batch.OnHand.Unit}.");
        if (used > batch.OnHand.Amount)
            throw BatchDecisions.Rule("batch.insufficient_quantity", $"Lô {batch.LotNumber} chỉ còn {batch.OnHand}, không đủ {quantity}.",
                $"Batch {batch.LotNumber} has only {batch.OnHand} on hand, not {quantity}.");
        events.Add(new StreamEvents(batch.Id, [new BatchConsumed(batch.Id, step, into, quantity)]));
        return quantity.In(unit)
               ?? throw new InvalidFieldException("output", "Đơn vị đầu ra không quy đổi được từ đầu vào.", $"The output unit {unit} does not convert from {quantity.Unit}.");
    }
}
